"""Case pages: the agent inbox (mine, my team's queue, unassigned, overdue, at risk; bulk
actions; keyboard shortcuts), one case (usable on a phone: clocks, actions, log, notes, contact
log and the customer's whole history), opening a case from a response page, and the metrics
dashboard. Each view parses the form and calls one service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.customers import tiers
from openxm.web.views import member_required

from . import actions, config, metrics, services
from .clocks import case_clocks, settings_of
from .detail import case_detail
from .models import Case, ContactEntry

VIEW_LABELS = [
    ("mine", gettext_lazy("Mine")),
    ("team", gettext_lazy("My team's queue")),
    ("unassigned", gettext_lazy("Unassigned")),
    ("at_risk", gettext_lazy("At risk")),
    ("overdue", gettext_lazy("Overdue")),
    ("open", gettext_lazy("All open")),
    ("all", gettext_lazy("All")),
]


@member_required(Perm.CASES_WORK)
def inbox(request):
    view = request.GET.get("view", "mine")
    if view not in services.VIEWS:
        view = "mine"
    rows = services.list_cases(request.actor, services.Filters(view=view), limit=200)
    settings = settings_of(request.actor.organization)
    clocks = {
        c.pk: case_clocks(c, settings=settings)[1] for c in rows if c.state not in ("resolved", "closed")
    }
    return render(
        request,
        "cases/inbox.html",
        {
            "view": view,
            "views": [(key, str(label)) for key, label in VIEW_LABELS],
            "rows": [
                (c, clocks.get(c.pk), round(clocks[c.pk].remaining / 3600, 1) if c.pk in clocks else None)
                for c in rows
            ],
            "states": Case.STATE_CHOICES,
        },
    )


@member_required(Perm.CASES_WORK)
@require_POST
def bulk(request):
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    try:
        result = actions.bulk(
            request.actor, ids, to=request.POST.get("to", ""), email=request.POST.get("assignee", "").strip()
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(done)s cases changed, %(refused)s refused.")
            % {"done": len(result["done"]), "refused": len(result["refused"])},
        )
        for message in result["refused"].values():
            messages.error(request, message)
    view = request.POST.get("view", "mine")
    return redirect(f"{reverse('cases:inbox')}?view={view if view in services.VIEWS else 'mine'}")


@member_required(Perm.CASES_WORK)
def case_page(request, case_id: int):
    actor = request.actor
    if request.method == "POST":
        services.get_case(actor, case_id)  # a case outside the scope is "not found", not a message
        action = request.POST.get("action", "")
        try:
            if action == "transition":
                actions.transition(
                    actor,
                    case_id,
                    request.POST.get("to", ""),
                    request.POST.get("reason", ""),
                    root_cause=request.POST.get("root_cause", ""),
                    recovery=request.POST.get("recovery_action", ""),
                    cost=request.POST.get("cost") or None,
                )
            elif action == "note":
                actions.add_note(actor, case_id, request.POST.get("text", ""))
            elif action == "contact":
                actions.log_contact(
                    actor,
                    case_id,
                    request.POST.get("channel", ""),
                    request.POST.get("summary", ""),
                    request.POST.get("direction", "out"),
                )
            elif action == "assign":
                actions.assign(actor, case_id, email=request.POST.get("assignee", "").strip())
            else:
                raise InvalidInput("action", _("is not known"))
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
        except NotFound as exc:  # a root cause, recovery action or member that is gone
            messages.error(request, str(exc))
        return redirect("cases:case", case_id=case_id)
    detail = case_detail(actor, case_id, with_history=True)
    return render(
        request,
        "cases/case.html",
        {
            "d": detail,
            "c": detail.case,
            "state_labels": dict(Case.STATE_CHOICES),
            "root_causes": config.list_root_causes(actor),
            "recovery_actions": config.list_recovery_actions(actor),
            "channels": ContactEntry.CHANNEL_CHOICES,
            "show_comments": bool(detail.case.response_id) and actor.can(Perm.RESPONSES_VIEW),
            "tier_label": tiers.tier_label(detail.case.tier) if detail.case.tier else "",
        },
    )


@member_required(Perm.CASES_WORK)
@require_POST
def open_from_response(request, response_id: int):
    case = services.open_case(request.actor, response_id=response_id, source=Case.Source.RESPONSE)
    return redirect("cases:case", case_id=case.pk)


@member_required(Perm.DASHBOARDS_VIEW)
def dashboard(request):
    try:
        days = int(request.GET.get("days", "90"))
        found = metrics.summary(request.actor, unit=request.GET.get("unit", ""), days=days)
    except (InvalidInput, ValueError):
        days = 90
        found = metrics.summary(request.actor, days=days)
    return render(request, "cases/dashboard.html", {"m": found, "days": days})
