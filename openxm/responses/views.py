"""Response pages: the browser, one response, imports (upload, mapping, report), exports.

Each view reads its input and calls one service of this app.
"""

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openxm.accounts import services as accounts
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.surveys import services as surveys
from openxm.utils.csvsafe import write_csv
from openxm.web.views import member_required

from . import actions, browse, exporting, importing
from .filters import parse_filters
from .forms import CHANNELS, UploadForm, format_value_map, mapping_from_post
from .mapping import target_choices
from .models import ImportJob
from .writers import CONTENT_TYPES, FORMATS


def _params(query) -> dict:
    """Query parameters with the browser form's pairs folded in: contact_key + contact_value →
    ``contact.<key>``; answer_q + answer_op + answer_value → ``answer``."""
    params = {k: query.getlist(k) for k in query if k not in ("page", "csrfmiddlewaretoken")}
    key = (query.get("contact_key") or "").strip()
    if key and (query.get("contact_value") or "").strip():
        params.setdefault(f"contact.{key}", []).append(query["contact_value"].strip())
    question = (query.get("answer_q") or "").strip()
    if question:
        op = query.get("answer_op") or "answered"
        value = (query.get("answer_value") or "").strip()
        params.setdefault("answer", []).append(
            f"{question}:{op}:{value}" if op != "answered" else f"{question}:answered"
        )
    for name in ("contact_key", "contact_value", "answer_q", "answer_op", "answer_value"):
        params.pop(name, None)
    return params


def _filters(request):
    try:
        return parse_filters(_params(request.GET)), None
    except InvalidInput as exc:
        return parse_filters({}), f"{exc.field}: {exc.message}"


def _query(flt, **extra) -> str:
    params = {**flt.to_params(), **extra}
    return urlencode(params, doseq=True)


# The answer filter's comparisons: (code in the query, what a person reads).
OPERATORS = (
    ("eq", "="),
    ("ne", "≠"),
    ("lt", "<"),
    ("lte", "≤"),
    ("gt", ">"),
    ("gte", "≥"),
    ("contains", gettext_lazy("contains")),
    ("answered", gettext_lazy("answered")),
)


@member_required(Perm.RESPONSES_VIEW)
def browser(request):
    actor = request.actor
    flt, problem = _filters(request)
    page = request.GET.get("page", "1")
    try:
        result = browse.list_responses(actor, flt, int(page) if page.isdigit() else 1)
    except InvalidInput as exc:
        problem = f"{exc.field}: {exc.message}"
        flt = parse_filters({})
        result = browse.list_responses(actor, flt)
    contact_key, contact_value = flt.contact[0] if flt.contact else ("", "")
    condition = flt.answers[0] if flt.answers else None
    return render(
        request,
        "responses/browser.html",
        {
            "flt": flt,
            "problem": problem,
            "result": result,
            "surveys": surveys.list_surveys(actor),
            "units": accounts.list_units(actor),
            "channels": CHANNELS,
            "touchpoints": browse.touchpoints(actor),
            "tags": browse.tag_names(actor),
            "contact_key": contact_key,
            "contact_value": contact_value,
            "condition": condition,
            "ops": OPERATORS,
            "params": [
                (k, v)
                for k, values in flt.to_params().items()
                for v in (values if isinstance(values, list) else [values])
            ],
            "query": _query(flt),
            "formats": FORMATS,
            "can_tag": actor.can(Perm.RESPONSES_WRITE),
            "can_export": actor.can(Perm.DATA_EXPORT),
            "can_import": actor.can(Perm.RESPONSES_WRITE),
        },
    )


@member_required(Perm.RESPONSES_VIEW)
def detail(request, pk: int):
    actor = request.actor
    return render(
        request,
        "responses/detail.html",
        {
            "d": browse.response_detail(actor, pk, language=surveys.ui_language()),
            "can_delete": actor.can(Perm.DATA_DELETE),
            "can_tag": actor.can(Perm.RESPONSES_WRITE),
            "can_open_case": actor.can(Perm.CASES_WORK),
        },
    )


@member_required(Perm.DATA_DELETE)
@require_POST
def delete(request, pk: int):
    actions.delete_response(request.actor, pk)
    messages.success(request, _("Response deleted."))
    return redirect("responses:browser")


@member_required(Perm.DATA_DELETE)
@require_POST
def anonymise(request, pk: int):
    actions.anonymise_response(request.actor, pk)
    messages.success(request, _("Response anonymised."))
    return redirect("responses:detail", pk=pk)


@member_required(Perm.RESPONSES_WRITE)
@require_POST
def tag(request):
    """Tag the ticked responses, or every response the filter selects (``scope=all``)."""
    params = {k: request.POST.getlist(k) for k in request.POST if k not in ("csrfmiddlewaretoken", "ids")}
    ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
    if request.POST.get("scope") != "all":
        params = {k: v for k, v in params.items() if k in ("survey",)}
        params["ids"] = ",".join(ids) or "0"
    try:
        flt = parse_filters(params)
        count = browse.tag_responses(
            request.actor, flt, add=[request.POST.get("add", "")], remove=[request.POST.get("remove", "")]
        )
        messages.success(request, _("Tags changed on %(n)s responses.") % {"n": count})
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    back = request.POST.get("back", "")
    return redirect(reverse("responses:browser") + (f"?{back}" if back and "\n" not in back else ""))


# --- Exports ----------------------------------------------------------------------------------


@member_required(Perm.DATA_EXPORT)
def exports(request):
    actor = request.actor
    if request.method == "POST":
        params = {
            k: request.POST.getlist(k) for k in request.POST if k not in ("csrfmiddlewaretoken", "format")
        }
        try:
            job = exporting.request_export(actor, parse_filters(params), request.POST.get("format", "csv"))
            messages.success(
                request, _("The export has started; its download link appears below when it is ready.")
            )
            return redirect(reverse("responses:exports") + f"#export-{job.pk}")
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
    return render(
        request,
        "responses/exports.html",
        {"jobs": exporting.list_exports(actor), "can_pii": actor.can(Perm.PII_VIEW)},
    )


@member_required(Perm.DATA_EXPORT)
def export_row(request, pk: int):
    job = exporting.get_export(request.actor, pk)
    return render(
        request, "responses/_export_row.html", {"job": job, "can_pii": request.actor.can(Perm.PII_VIEW)}
    )


@member_required(Perm.DATA_EXPORT)
def export_download(request, pk: int):
    job, path = exporting.export_download(request.actor, pk)
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES[job.format],
    )


@member_required(Perm.RESPONSES_VIEW)
def codebook(request):
    if not request.GET.get("survey"):
        # Reached without a survey (a bookmark, the address bar): the browser's filters pick one.
        messages.info(request, _("Choose a survey in the filters to download its codebook."))
        return redirect("responses:browser")
    flt, problem = _filters(request)
    if problem:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    try:
        survey, book = exporting.export_codebook(request.actor, flt)
    except InvalidInput as exc:
        return HttpResponse(
            f"{exc.field}: {exc.message}", status=400, content_type="text/plain; charset=utf-8"
        )
    rows = book.rows()
    response = HttpResponse(write_csv(rows[0], rows[1:]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.key}-codebook.csv"'
    return response


# --- Imports ----------------------------------------------------------------------------------


@member_required(Perm.RESPONSES_WRITE)
def imports(request):
    actor = request.actor
    survey_rows = surveys.list_surveys(actor)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        surveys=survey_rows,
        initial={"survey": request.GET.get("survey", "")},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.start_import(
                actor,
                upload,
                upload.name,
                survey=form.cleaned_data["survey"] or None,
                mode=form.cleaned_data["mode"],
                encoding=form.cleaned_data["encoding"] or None,
                delimiter=form.cleaned_data["delimiter"] or None,
            )
            return redirect("responses:import_job", pk=job.pk)
        except InvalidInput as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
    return render(request, "responses/imports.html", {"form": form, "jobs": importing.list_jobs(actor)})


def _mapping_rows(job: ImportJob, definition, language: str):
    columns = job.mapping.get("columns", {})
    choices = target_choices(definition, language)
    rows = []
    for i, column in enumerate(job.columns):
        spec = columns.get(column, "ignore")
        target, values = (
            (spec.get("to", "ignore"), spec.get("values") or {}) if isinstance(spec, dict) else (spec, {})
        )
        samples = [row[i] for row in job.sample if i < len(row) and row[i]][:3]
        extra = [
            (f"contact.attributes.{column}", _("Contact attribute: %(name)s") % {"name": column}),
            (f"hidden.{column}", _("Hidden field: %(name)s") % {"name": column}),
        ]
        options = choices + [c for c in extra if c[0] not in dict(choices)]
        if target not in dict(options):
            options.append((target, target))
        rows.append(
            {
                "index": i,
                "column": column,
                "samples": samples,
                "target": target,
                "values": format_value_map(values),
                "options": options,
            }
        )
    return rows


@member_required(Perm.RESPONSES_WRITE)
def import_job(request, pk: int):
    """The mapping step (and, once checked, the report) of one import."""
    actor = request.actor
    job = importing.get_job(actor, pk)
    if request.method == "POST" and request.POST.get("action") == "resume":
        try:
            importing.resume_import(actor, job.pk)
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
        return redirect("responses:import_job", pk=job.pk)
    if request.method == "POST":
        mapping = mapping_from_post(request.POST, job.columns, job.mode)
        try:
            importing.save_mapping(actor, job.pk, mapping)
            importing.request_run(actor, job.pk, commit=request.POST.get("action") == "import")
            return redirect("responses:import_job", pk=job.pk)
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
            job.mapping = mapping
    definition = importing.job_definition(job)
    defaults = job.mapping.get("defaults", {})
    return render(
        request,
        "responses/import_job.html",
        {
            "job": job,
            "progress": importing.job_progress(job),
            "rows": _mapping_rows(job, definition, surveys.ui_language()),
            "defaults": defaults,
            "mapping": job.mapping,
            "channels": CHANNELS,
            "editable": job.status in importing.EDITABLE,
            "running": job.status in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING),
            "stale": importing.is_stale(job),
            "browse_query": urlencode({"survey": job.survey.pk}),
        },
    )


@member_required(Perm.RESPONSES_WRITE)
def import_progress(request, pk: int):
    """The progress partial that the page polls; once the job stops, the whole page reloads."""
    job = importing.get_job(request.actor, pk)
    running = job.status in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING)
    response = render(
        request,
        "responses/_import_progress.html",
        {
            "job": job,
            "progress": importing.job_progress(job),
            "running": running,
            "stale": importing.is_stale(job),
        },
    )
    if not running:
        response["HX-Refresh"] = "true"
    return response


@member_required(Perm.RESPONSES_WRITE)
def import_report(request, pk: int):
    job, path = importing.rejection_report_path(request.actor, pk)
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=f"rejected-rows-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
