from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "openxm.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from . import signals  # noqa: F401  (connects sign-in auditing)
        from .hygiene import guard_columns

        # Every model, every app: text a column cannot hold is refused with the field's name.
        pre_save.connect(guard_columns, dispatch_uid="openxm-guard-columns")

        from openxm.personal_data import exempt

        # Members, keys and the audit trail: staff data, not data subjects' (docs/privacy.md).
        exempt("accounts.Organization", "the tenant: its name and settings")
        exempt(
            "accounts.User", "a member's sign-in account (staff, not a data subject)", staff_fields=("email",)
        )
        exempt("accounts.Membership", "a member's role and unit")
        exempt("accounts.Unit", "a node of the organization's hierarchy")
        exempt("accounts.ApiKey", "an API key's name, role and hash")
        exempt(
            "accounts.AuditEvent",
            "who did what; entries name contacts and responses by id, and data-subject requests "
            "by their masked identifiers",
            staff_fields=("ip_address",),
        )
