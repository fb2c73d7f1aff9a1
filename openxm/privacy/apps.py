from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "openxm.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from openxm.accounts.roles import Perm
        from openxm.personal_data import exempt
        from openxm.web.navigation import NavItem, register

        exempt(
            "privacy.DataSubjectRequest",
            "the request log: masked identifiers and a keyed hash, counts, the archive's path",
        )
        exempt("privacy.PrivacySettings", "the organization's statutory deadline")
        exempt("privacy.RetentionPolicy", "how long the organization keeps a kind of data")
        register(
            NavItem(
                "privacy", _("Privacy"), "privacy:requests", Perm.PRIVACY_MANAGE, section="settings", order=70
            )
        )
