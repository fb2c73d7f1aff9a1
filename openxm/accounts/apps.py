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
