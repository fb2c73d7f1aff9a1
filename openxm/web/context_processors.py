from django.conf import settings

from . import navigation


def shell(request):
    actor = getattr(request, "actor", None)
    from openxm.accounts.models import ROLE_CHOICES

    return {
        "role_label": dict(ROLE_CHOICES).get(actor.role.value) if actor else "",
        "current_org": getattr(request, "organization", None),
        "memberships": getattr(request, "memberships", []),
        "actor": actor,
        "nav_main": navigation.entries_for(actor, "main"),
        "nav_settings": navigation.entries_for(actor, "settings"),
        "available_languages": settings.LANGUAGES,
    }
