from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "openxm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from openxm import crypto

        from . import personal_data, services

        personal_data.register_hook()
        # E-mail and phone are encrypted; their key columns are blind indexes (models.Contact).
        crypto.register_reindex("customers.Contact", services.refresh_keys)
