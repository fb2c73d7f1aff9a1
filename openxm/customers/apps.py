from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "openxm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from . import personal_data

        personal_data.register_hook()
