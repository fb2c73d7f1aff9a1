"""Dashboards: configurable pages of widgets for a role, with default global filters.

Reading needs ``dashboards.view``; creating, editing and deleting ``surveys.design`` (the
people who design surveys and journeys also design the pages that read them). A dashboard can
be written as a document (JSON/YAML: key, name, role, filters, widgets) and imported.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm, Role

from . import params as params_mod
from . import widgets
from .models import Dashboard

KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
FILTER_KEYS = (
    "period",
    "start",
    "end",
    "journey",
    "stage",
    "touchpoint",
    "channel",
    "unit",
    "survey",
    "attr",
    "weighted",
    "grain",
)
#: The dashboard a member lands on, by role.
ROLE_DEFAULT = {
    Role.OWNER: "executive",
    Role.ADMIN: "executive",
    Role.ANALYST: "journey_owner",
    Role.AGENT: "agent",
    Role.VIEWER: "store_manager",
}


@dataclass(frozen=True)
class DashboardRow:
    key: str
    name: str
    role: str
    description: str
    widget_count: int
    filters: dict
    widgets: list
    updated_at: object


def _row(d: Dashboard) -> DashboardRow:
    return DashboardRow(
        d.key,
        d.name,
        d.role,
        d.description,
        len(d.widgets or []),
        dict(d.filters or {}),
        list(d.widgets or []),
        d.updated_at,
    )


def list_dashboards(actor: Actor) -> list[DashboardRow]:
    actor.require(Perm.DASHBOARDS_VIEW)
    return [_row(d) for d in Dashboard.objects.for_org(actor.organization)]


def _get(actor: Actor, key: str) -> Dashboard:
    d = Dashboard.objects.for_org(actor.organization).filter(key=key).first()
    if d is None:
        raise NotFound("dashboard", key)
    return d


def get_dashboard(actor: Actor, key: str) -> DashboardRow:
    actor.require(Perm.DASHBOARDS_VIEW)
    return _row(_get(actor, key))


def default_dashboard(actor: Actor) -> DashboardRow | None:
    """The first dashboard for the member's role, else the first dashboard."""
    rows = list_dashboards(actor)
    wanted = ROLE_DEFAULT.get(actor.role, "executive")
    return next((r for r in rows if r.role == wanted), rows[0] if rows else None)


def clean_filters(value, org) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise InvalidInput("filters", _("must be an object"))
    unknown = set(value) - set(FILTER_KEYS)
    if unknown:
        raise InvalidInput(f"filters.{sorted(unknown)[0]}", _("is not a filter"))
    params_mod.parse(org, {}, value)  # raises InvalidInput naming the bad filter
    return dict(value)


def _apply(actor: Actor, d: Dashboard, document: dict) -> None:
    name = str(document.get("name") or "").strip()
    if not name:
        raise InvalidInput("name", _("must not be empty"))
    role = document.get("role") or Dashboard.Role.EXECUTIVE
    if role not in Dashboard.Role.values:
        raise InvalidInput("role", _("must be one of %(c)s") % {"c": ", ".join(Dashboard.Role.values)})
    d.name = name[:200]
    d.role = role
    d.description = str(document.get("description") or "")[:2000]
    d.filters = clean_filters(document.get("filters"), actor.organization)
    d.widgets = widgets.clean_widgets(document.get("widgets") or [])
    d.updated_at = timezone.now()


@transaction.atomic
def save_dashboard(actor: Actor, document: dict) -> tuple[DashboardRow, bool]:
    """Create the dashboard a document describes or replace the one with its key.
    Returns (dashboard, created)."""
    actor.require(Perm.SURVEYS_DESIGN)
    if not isinstance(document, dict):
        raise InvalidInput("document", _("must be an object"))
    key = str(document.get("key") or "").strip()
    if not key or len(key) > 64 or not set(key) <= KEY_CHARS:
        raise InvalidInput("key", _("use 1-64 lower-case letters, digits, - and _"))
    scoped = Dashboard.objects.for_org(actor.organization)
    d = scoped.filter(key=key).first()
    created = d is None
    if created:
        d = Dashboard(
            organization=actor.organization, key=key, position=scoped.count(), created_by=actor.user
        )
    _apply(actor, d, document)
    d.save()
    audit.record(
        actor,
        "dashboard.created" if created else "dashboard.edited",
        target_type="dashboard",
        target_id=key,
        data={"widgets": len(d.widgets)},
    )
    return _row(d), created


@transaction.atomic
def delete_dashboard(actor: Actor, key: str) -> None:
    actor.require(Perm.SURVEYS_DESIGN)
    d = _get(actor, key)
    d.delete()
    audit.record(actor, "dashboard.deleted", target_type="dashboard", target_id=key)


def dashboard_document(row: DashboardRow) -> dict:
    return {
        "key": row.key,
        "name": row.name,
        "role": row.role,
        "description": row.description,
        "filters": row.filters,
        "widgets": row.widgets,
    }


def render_dashboard(actor: Actor, key: str, query) -> tuple[DashboardRow, params_mod.Params, list]:
    """The dashboard's widgets rendered with its default filters overridden by ``query``."""
    row = get_dashboard(actor, key)
    p = params_mod.parse(actor.organization, query, row.filters)
    views = []
    for i, w in enumerate(row.widgets):
        try:
            views.append(widgets.render(actor, w, p, i))
        except (InvalidInput, ValueError) as exc:
            views.append(
                widgets.WidgetView(
                    i, w.get("type", ""), w.get("title") or "", w.get("width", "half"), note=str(exc)
                )
            )
    return row, p, views
