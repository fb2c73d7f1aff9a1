"""Survey pages: the list, one survey with its versions and quota counts, templates, import and
export.

The builder (editing a draft) lives in ``openxm/surveys/builder``.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.web.views import member_required

from . import quota_counts, services
from .forms import FromTemplateForm, ImportForm
from .overview import read_response_overview


@member_required(Perm.DASHBOARDS_VIEW)
def survey_list(request):
    return render(
        request,
        "surveys/list.html",
        {
            "surveys": services.list_surveys(request.actor),
            "can_design": request.actor.can(Perm.SURVEYS_DESIGN),
        },
    )


@member_required(Perm.DASHBOARDS_VIEW)
def survey_detail(request, ref):
    survey = services.get_survey(request.actor, ref)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "versions": services.list_versions(request.actor, survey.pk),
            "can_design": request.actor.can(Perm.SURVEYS_DESIGN),
            "issues": services.validate_document(survey.draft),
            "quotas": quota_counts.quota_overview(request.actor, survey),
            "responses": read_response_overview(request.actor, survey_id=survey.pk, latest=5),
        },
    )


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def reset_quota(request, ref, quota_id):
    try:
        quota_counts.reset_quota(request.actor, ref, quota_id)
        messages.success(request, _("Quota %(quota)s reset to zero.") % {"quota": quota_id})
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    return redirect("surveys:detail", ref=ref)


BLANK = "blank"


@member_required(Perm.SURVEYS_DESIGN)
def template_gallery(request):
    form = FromTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["template"] == BLANK:
                survey = services.create_blank_survey(request.actor, data["title"], data["key"] or None)
                messages.success(request, _("Blank survey created: add your questions."))
                return redirect("surveys:builder", survey.pk)
            survey = services.create_from_template(
                request.actor, data["template"], data["key"] or None, title=data["title"]
            )
            messages.success(request, _("Survey created from the template."))
            return redirect("surveys:detail", ref=survey.pk)
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
    elif request.method == "POST":
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errors)}")
    return render(
        request, "surveys/templates.html", {"templates": services.list_templates(), "blank": BLANK}
    )


@member_required(Perm.SURVEYS_DESIGN)
def import_definition(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            name = upload.name.lower()
            fmt = "json" if name.endswith(".json") else "yaml" if name.endswith((".yaml", ".yml")) else "auto"
            try:
                survey, created = services.import_survey(
                    request.actor, text, fmt, publish=form.cleaned_data["publish"]
                )
                messages.success(request, _("Survey imported.") if created else _("Survey draft replaced."))
                return redirect("surveys:detail", ref=survey.pk)
            except services.InvalidDefinition as exc:
                issues = exc.issues
    lang = services.ui_language()
    return render(request, "surveys/import.html", {"form": form, "issues": [i.render(lang) for i in issues]})


@member_required(Perm.DASHBOARDS_VIEW)
def export_definition(request, ref):
    fmt = request.GET.get("format", "yaml")
    version = request.GET.get("version")
    text = services.export_survey(
        request.actor,
        ref,
        fmt,
        number=int(version) if version and version.isdigit() else None,
        draft=request.GET.get("draft") == "1",
    )
    survey = services.get_survey(request.actor, ref)
    response = HttpResponse(text, content_type="application/json" if fmt == "json" else "application/yaml")
    response["Content-Disposition"] = f'attachment; filename="{survey.key}.{fmt}"'
    return response


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def publish(request, ref):
    try:
        version = services.publish_survey(request.actor, ref)
        messages.success(
            request, _("Published version %(n)s. Share it with the link below.") % {"n": version.number}
        )
    except services.InvalidDefinition as exc:
        messages.error(request, _("The draft has problems: %(problems)s") % {"problems": exc.message})
        return redirect("surveys:detail", ref=ref)
    return redirect(reverse("surveys:detail", args=[ref]) + "#share")


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def change_status(request, ref):
    try:
        services.set_status(request.actor, ref, request.POST.get("status", ""))
        messages.success(request, _("Survey status changed."))
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    return redirect("surveys:detail", ref=ref)


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def duplicate(request, ref):
    survey = services.duplicate_survey(request.actor, ref)
    messages.success(request, _("Survey duplicated."))
    return redirect("surveys:detail", ref=survey.pk)
