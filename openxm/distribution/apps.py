from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "openxm.distribution"
    label = "distribution"
    verbose_name = _("Distribution")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from openxm.accounts.roles import Perm
        from openxm.web.navigation import NavItem, register

        from . import entry, personal_data

        personal_data.register_hook()
        # Public links remember their distribution briefly (entry.py): a change forgets them.
        for model in ("accounts.Organization", "surveys.Survey", "distribution.Distribution"):
            for signal in (post_save, post_delete):
                signal.connect(entry.forget_links, sender=model, dispatch_uid=f"distribution.links.{model}")
        register(
            NavItem(
                "distribution", _("Distribution"), "distribution:overview", Perm.DASHBOARDS_VIEW, order=30
            )
        )
