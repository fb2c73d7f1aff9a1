"""Organizations, users, memberships, units, API keys and the append-only audit log."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .tenancy import TenantModel

ROLE_CHOICES = [
    (Role.OWNER.value, _("Owner")),
    (Role.ADMIN.value, _("Admin")),
    (Role.ANALYST.value, _("Analyst")),
    (Role.AGENT.value, _("Agent")),
    (Role.VIEWER.value, _("Viewer")),
]


class Organization(models.Model):
    """A tenant. Everything a customer of openxm owns hangs off one organization."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    default_language = models.CharField(max_length=10, default="en")
    time_zone = models.CharField(max_length=64, default="UTC")
    # Figures computed from fewer responses than this are suppressed, never shown.
    min_sample_size = models.PositiveIntegerField(default=5)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Roles live on memberships, one per organization."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    language = models.CharField(max_length=10, blank=True, help_text="UI language; empty follows the browser")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.name or self.email


class Membership(TenantModel):
    """A user's role in one organization, optionally limited to a unit and everything below it
    (a store manager sees their store; a regional director their region)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    unit = models.ForeignKey(
        "Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Null: the whole organization",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="uniq_membership")]
        ordering = ["user__email"]


class Unit(TenantModel):
    """A part of the organization that feedback is reported by: region, store, team, channel.

    Units form a tree (a store under a region); dashboards break figures down by them and
    store managers see their own unit.
    """

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        STORE = "store", _("Store")
        DEPARTMENT = "department", _("Department")
        CHANNEL = "channel", _("Channel")
        TEAM = "team", _("Team")

    code = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="uniq_unit_code")]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ApiKey(TenantModel):
    """An API key acts for one organization with one role, optionally limited to a unit and its
    descendants like a membership. Only a SHA-256 of it is stored: the key has 256 bits of
    entropy, so a slow password hash would add latency and no safety.
    """

    name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Null: the whole organization",
    )
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only")

    def delete(self):
        raise PermissionError("the audit log is append-only")


class AuditManager(models.Manager.from_queryset(AuditQuerySet)):
    def get_queryset(self):
        raise PermissionError("audit events are tenant-owned: use AuditEvent.objects.for_org(org)")

    def for_org(self, organization):
        return super().get_queryset().filter(organization=organization)

    def system(self):
        """Events not tied to an organization (e.g. a failed sign-in of an unknown e-mail)."""
        return super().get_queryset().filter(organization__isnull=True)


class AuditEvent(models.Model):
    """One line of the append-only audit log. Rows are written once and never changed."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    actor_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    via = models.CharField(max_length=8)  # web, api, cli, task
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Even the system manager refuses bulk update/delete; only inserts are possible.
    unscoped = models.Manager.from_queryset(AuditQuerySet)()
    objects = AuditManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_label or self.via}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")
