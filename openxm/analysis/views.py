"""Study pages: the list, the new-study form, one study with its chart and tables, CSV downloads.

Each view checks its input and calls one service function; the figures come from the one
mapper (``present``), which has already suppressed small samples.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.surveys import services as surveys
from openxm.utils.csvsafe import write_csv
from openxm.web.views import member_required

from . import services
from .config import KINDS
from .data import Filters
from .forms import FilterForm, StudyForm
from .models import Study
from .present import CATEGORY_LABELS, csv_tables, present


@member_required(Perm.DASHBOARDS_VIEW)
def study_list(request):
    return render(request, "analysis/list.html", {
        "studies": services.list_studies(request.actor),
        "can_design": request.actor.can(Perm.SURVEYS_DESIGN),
    })


def _study_form(request, data):
    actor = request.actor
    survey, kind = data.get("survey", ""), data.get("kind", "")
    candidates = []
    if survey.isdigit() and kind in KINDS:
        try:
            candidates = services.study_candidates(actor, int(survey), kind)
        except InvalidInput:
            candidates = []
    form_data = data if request.method == "POST" and "refresh" not in data else None
    initial = {"survey": survey, "kind": kind, "title": data.get("title", "")}
    return StudyForm(form_data, surveys=surveys.list_surveys(actor), candidates=candidates,
                     kind=kind if candidates else None, initial=initial)


@member_required(Perm.SURVEYS_DESIGN)
def study_new(request):
    data = request.POST if request.method == "POST" else request.GET
    form = _study_form(request, data)
    if form.is_bound and form.is_valid() and form.study_kind:
        title = form.cleaned_data["title"] or _default_title(form)
        try:
            study = services.create_study(
                request.actor, survey=int(form.cleaned_data["survey"]), kind=form.cleaned_data["kind"],
                title=title, config=form.config(),
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Study created."))
            return redirect("analysis:detail", study_id=study.pk)
    return render(request, "analysis/new.html", {"form": form})


def _default_title(form) -> str:
    kind = str(Study.Kind(form.cleaned_data["kind"]).label)
    survey = dict(form.fields["survey"].choices).get(form.cleaned_data["survey"], "")
    return f"{kind} · {survey}"[:200]


@member_required(Perm.SURVEYS_DESIGN)
def study_questions(request):
    """The question fields of the new-study form for the chosen survey and method (HTMX)."""
    return render(request, "analysis/_study_questions.html", {"form": _study_form(request, request.GET)})


def _filters(request, study):
    choices = services.filter_choices(request.actor, study)
    form = FilterForm(request.GET, channels=choices["channels"], units=choices["units"])
    if not form.is_valid():
        return form, Filters()
    data = form.cleaned_data
    return form, Filters(data.get("from"), data.get("to"), data.get("channel") or "", data.get("unit") or "")


@member_required(Perm.DASHBOARDS_VIEW)
def study_detail(request, study_id):
    study = services.get_study(request.actor, study_id)
    form, filters = _filters(request, study)
    presented = present(services.run_study(request.actor, study.pk, filters))
    return render(request, "analysis/study.html", {
        "study": services.study_row(study),
        "presented": presented,
        "result": presented["result"],
        "filter_form": form,
        "query": request.GET.urlencode(),
        "chart_text": _chart_text(),
        "categories": {k: str(v) for k, v in CATEGORY_LABELS.items()},
        "can_design": request.actor.can(Perm.SURVEYS_DESIGN),
    })


@member_required(Perm.DASHBOARDS_VIEW)
def study_csv(request, study_id, table):
    study = services.get_study(request.actor, study_id)
    _form, filters = _filters(request, study)
    tables = csv_tables(present(services.run_study(request.actor, study.pk, filters)))
    if table not in tables:
        raise Http404(f"no table {table!r}")
    header, rows = tables[table]
    response = HttpResponse(write_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="study-{study.pk}-{table}.csv"'
    return response


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def study_delete(request, study_id):
    services.delete_study(request.actor, study_id)
    messages.success(request, _("Study deleted."))
    return redirect("analysis:list")


def _chart_text() -> dict:
    """Translated words the chart modules draw (axis names, quadrant and category labels)."""
    return {
        "better": _("Better (satisfaction when present)"),
        "worse": _("|Worse| (dissatisfaction when absent)"),
        "attractive": _("Attractive"),
        "one_dimensional": _("One-dimensional"),
        "must_be": _("Must-be"),
        "indifferent": _("Indifferent"),
        "gap": _("Gap (perception − expectation)"),
        "interval": _("95% CI"),
        "expectation": _("Expectation"),
        "perception": _("Perception"),
        "importance": _("Importance"),
        "derived_importance": _("Derived importance (correlation with the outcome)"),
        "stated_importance": _("Stated importance (mean)"),
        "performance": _("Performance (mean rating)"),
        "concentrate": _("Concentrate here"),
        "keep_up": _("Keep up the good work"),
        "low_priority": _("Low priority"),
        "overkill": _("Possible overkill"),
        "share_r2": _("Share of R² (%)"),
        "suppressed": _("suppressed (n below the minimum)"),
    }
