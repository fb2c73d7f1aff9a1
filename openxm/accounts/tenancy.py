"""The one way to reach tenant-owned rows: ``Model.objects.for_org(org)``.

Every tenant-owned model subclasses :class:`TenantModel`. Its ``objects`` manager refuses to
build an unscoped queryset, so forgetting the organization is an error, not a data leak.
``Model.unscoped`` exists for system work that spans tenants by design (migrations, rollup
rebuilds, the demo loader's reset); tests/test_boundaries.py lists the modules allowed to use it.
"""

from django.db import models


class TenancyError(RuntimeError):
    """Raised when tenant-owned rows are queried without an organization."""


class TenantManager(models.Manager):
    def get_queryset(self):
        raise TenancyError(
            f"{self.model.__name__} is tenant-owned: use {self.model.__name__}.objects.for_org(org)"
        )

    def for_org(self, organization) -> models.QuerySet:
        if organization is None or getattr(organization, "pk", None) is None:
            raise TenancyError("for_org() needs a saved organization")
        return super().get_queryset().filter(organization=organization)


class TenantModel(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")

    # ``unscoped`` is declared first so it is Django's internal default manager
    # (validate_unique, serializers); application code goes through ``objects.for_org``.
    unscoped = models.Manager()
    objects = TenantManager()

    class Meta:
        abstract = True
