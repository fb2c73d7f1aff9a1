"""Employee experience pages: suppressed results, the internal-customer matrix, eNPS next to
customer NPS for one unit, and the anonymity thresholds. Each view parses its parameters and
calls one service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm, Role
from openxm.web.views import member_required

from . import matrix as internal
from . import services, thresholds


def _params(request, surveys) -> dict:
    keys = [s.key for s in surveys]
    key = request.GET.get("survey", "")
    return {
        "surveys": surveys,
        "survey": key if key in keys else (keys[0] if keys else ""),
        "wave": request.GET.get("wave", ""),
        "unit": request.GET.get("unit", ""),
        "by": request.GET.get("by", ""),
        "groupings": list(services.grouping_labels().items()),
    }


@member_required(Perm.DASHBOARDS_VIEW)
def results(request):
    actor = request.actor
    context = _params(request, [s for s in services.employee_surveys(actor) if s.audience == "employee"])
    if context["survey"]:
        try:
            context["breakdown"] = services.breakdown(
                actor, context["survey"], context["wave"], context["unit"], context["by"]
            )
            context["trend"] = services.trend(actor, context["survey"], context["unit"])
            minimum, found = services.comments(actor, context["survey"], context["wave"], context["unit"])
            context.update(min_comments=minimum, comments=found)
            if found is not None:
                context["themes"] = services.comment_themes(
                    actor, context["survey"], context["wave"], context["unit"]
                )
        except InvalidInput as exc:
            context["error"] = exc
    return render(request, "employees/results.html", context)


@member_required(Perm.DASHBOARDS_VIEW)
def matrix(request):
    actor = request.actor
    context = _params(request, [s for s in services.employee_surveys(actor) if s.audience == "internal"])
    if context["survey"]:
        try:
            m = internal.matrix(actor, context["survey"], context["wave"])
            names = services.unit_names(actor)
            rows = [
                (names.get(p, p), m.cells.get((p, "")), [m.cells.get((p, r)) for r in m.requesters])
                for p in m.providers
            ]
            context.update(matrix=m, rows=rows, requesters=[names.get(r, r) for r in m.requesters])
        except InvalidInput as exc:
            context["error"] = exc
    return render(request, "employees/matrix.html", context)


@member_required(Perm.DASHBOARDS_VIEW)
def unit(request):
    actor = request.actor
    context = _params(request, [s for s in services.employee_surveys(actor) if s.audience == "employee"])
    if context["survey"]:
        survey = services.employee_survey(actor, context["survey"])
        context["min_group"] = thresholds.effective(actor.organization, survey.pk).min_group
        context["rows"] = services.unit_comparison(actor, context["survey"], context["unit"])
    return render(request, "employees/unit.html", context)


@member_required(Perm.DASHBOARDS_VIEW)
def settings(request):
    actor = request.actor
    error = None
    if request.method == "POST":
        try:
            thresholds.set_thresholds(
                actor,
                request.POST.get("min_group", ""),
                request.POST.get("min_comments", ""),
                request.POST.get("survey", "").strip(),
            )
            messages.success(request, _("Thresholds saved."))
            return redirect("employees:settings")
        except InvalidInput as exc:
            error = exc
    return render(
        request,
        "employees/settings.html",
        {
            "rows": thresholds.current(actor.organization),
            "can_edit": actor.role == Role.OWNER,
            "surveys": services.employee_surveys(actor),
            "error": error,
        },
    )
