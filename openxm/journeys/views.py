"""Journey pages: the list, one journey's stages and touchpoints, a touchpoint's details, targets
and service-blueprint lanes, journeys as YAML/JSON documents, operational-metric import.

Views validate their input and call one service function. The journey map with figures is an
insights page (``insights:journey_map``).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.web.views import member_required

from . import operational, services
from .forms import JourneyEditForm, JourneyForm, StageForm, TouchpointEditForm, TouchpointForm, UploadForm
from .models import BLUEPRINT_LANE_LABELS, BLUEPRINT_LANES


def _error(form, exc: InvalidInput) -> None:
    name = exc.field.split(".")[-1].split("[")[0]
    if name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, f"{exc.field}: {exc.message}")


def _stages(text: str) -> list[tuple[str, str]]:
    out = []
    for i, line in enumerate(x for x in (text or "").splitlines() if x.strip()):
        key, sep, name = line.partition(":")
        if not sep:
            raise InvalidInput("stages", _("line %(n)s: write key: name") % {"n": i + 1})
        out.append((key.strip(), name.strip()))
    return out


@member_required(Perm.DASHBOARDS_VIEW)
def journey_list(request):
    actor = request.actor
    form = JourneyForm(request.POST or None)
    if request.method == "POST":
        actor.require(Perm.SURVEYS_DESIGN)
        if form.is_valid():
            data = form.cleaned_data
            try:
                view = services.create_journey(
                    actor,
                    data["key"],
                    data["name"],
                    data["description"],
                    data["owner_team"],
                    stages=_stages(data["stages"]),
                )
                messages.success(request, _("Journey created."))
                return redirect("journeys:detail", key=view.key)
            except InvalidInput as exc:
                _error(form, exc)
    return render(
        request,
        "journeys/list.html",
        {
            "journeys": services.list_journeys(actor),
            "form": form,
            "upload": UploadForm(),
            "can_design": actor.can(Perm.SURVEYS_DESIGN),
        },
    )


@member_required(Perm.DASHBOARDS_VIEW)
def journey_detail(request, key):
    actor = request.actor
    view = services.get_journey(actor, key)
    edit = JourneyEditForm(
        request.POST or None,
        initial={"name": view.name, "owner_team": view.owner_team, "description": view.description},
    )
    if request.method == "POST":
        actor.require(Perm.SURVEYS_DESIGN)
        if edit.is_valid():
            try:
                services.update_journey(actor, key, **edit.cleaned_data)
                messages.success(request, _("Journey saved."))
                return redirect("journeys:detail", key=key)
            except InvalidInput as exc:
                _error(edit, exc)
    return render(
        request,
        "journeys/detail.html",
        {
            "journey": view,
            "edit_form": edit,
            "stage_form": StageForm(),
            "touchpoint_form": TouchpointForm(stages=view.stages),
            "can_design": actor.can(Perm.SURVEYS_DESIGN),
            "lanes": [(lane, BLUEPRINT_LANE_LABELS[lane]) for lane in BLUEPRINT_LANES],
        },
    )


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def journey_delete(request, key):
    services.delete_journey(request.actor, key)
    messages.success(request, _("Journey deleted."))
    return redirect("journeys:list")


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def stage_add(request, key):
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.add_stage(request.actor, key, form.cleaned_data["key"], form.cleaned_data["name"])
            messages.success(request, _("Stage added."))
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
    else:
        messages.error(request, _("Give the stage a key and a name."))
    return redirect("journeys:detail", key=key)


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def stage_move(request, key, stage):
    offset = -1 if request.POST.get("direction") == "left" else 1
    services.move_stage(request.actor, key, stage, offset)
    return redirect("journeys:detail", key=key)


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def stage_delete(request, key, stage):
    try:
        services.delete_stage(request.actor, key, stage)
        messages.success(request, _("Stage deleted."))
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return redirect("journeys:detail", key=key)


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def touchpoint_add(request, key):
    view = services.get_journey(request.actor, key)
    form = TouchpointForm(request.POST, stages=view.stages)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.add_touchpoint(request.actor, key, data.pop("stage"), data.pop("key"), **data)
            messages.success(request, _("Touchpoint added."))
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
    else:
        messages.error(request, " ".join(f"{f}: {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("journeys:detail", key=key)


@member_required(Perm.DASHBOARDS_VIEW)
def touchpoint_edit(request, key):
    actor = request.actor
    info = services.get_touchpoint(actor, key)
    view = services.get_journey(actor, info.journey_key)
    initial = {
        "name": info.name,
        "stage": info.stage_key,
        "channel": info.channel,
        "owner_team": info.owner_team,
        "description": info.description,
        "questions": "\n".join(info.questions),
        **{f"target_{m}": v for m, v in info.targets.items()},
        **{f"lane_{lane}": "\n".join(items) for lane, items in info.blueprint.items()},
    }
    form = TouchpointEditForm(request.POST or None, initial=initial, stages=view.stages)
    if request.method == "POST":
        actor.require(Perm.SURVEYS_DESIGN)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_touchpoint(
                    actor,
                    key,
                    name=data["name"],
                    stage=data["stage"],
                    channel=data["channel"],
                    owner_team=data["owner_team"],
                    description=data["description"],
                    questions=data["questions"],
                    targets={m: data[f"target_{m}"] for m in ("nps", "csat", "ces")},
                    blueprint={lane: data[f"lane_{lane}"] for lane in BLUEPRINT_LANES},
                )
                messages.success(request, _("Touchpoint saved."))
                return redirect("journeys:touchpoint", key=key)
            except InvalidInput as exc:
                _error(form, exc)
    return render(
        request,
        "journeys/touchpoint.html",
        {
            "tp": info,
            "journey": view,
            "form": form,
            "can_design": actor.can(Perm.SURVEYS_DESIGN),
            "operational": operational.list_operational(actor, [key]),
            "op_labels": {k: s.label for k, s in operational.OP_METRICS.items()},
        },
    )


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def touchpoint_delete(request, key):
    info = services.get_touchpoint(request.actor, key)
    services.delete_touchpoint(request.actor, key)
    messages.success(request, _("Touchpoint deleted."))
    return redirect("journeys:detail", key=info.journey_key)


@member_required(Perm.SURVEYS_DESIGN)
@require_POST
def import_document(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a YAML or JSON file."))
        return redirect("journeys:list")
    try:
        text = form.cleaned_data["file"].read().decode("utf-8-sig")
        view, created = services.import_journey(request.actor, services.parse_document(text))
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
        return redirect("journeys:list")
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect("journeys:list")
    messages.success(request, _("Journey imported.") if created else _("Journey updated from the file."))
    return redirect("journeys:detail", key=view.key)


@member_required(Perm.DASHBOARDS_VIEW)
def export_document(request, key):
    fmt = "json" if request.GET.get("format") == "json" else "yaml"
    text = services.dump_document(services.export_journey(request.actor, key), fmt)
    response = HttpResponse(text, content_type="application/json" if fmt == "json" else "application/yaml")
    response["Content-Disposition"] = f'attachment; filename="{key}.{fmt}"'
    return response


@member_required(Perm.DASHBOARDS_VIEW)
def operational_page(request):
    actor = request.actor
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        actor.require(Perm.RESPONSES_WRITE)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = operational.import_operational_file(actor, upload.file, upload.name)
                messages.success(request, _("%(n)s rows imported.") % {"n": count})
                return redirect("journeys:operational")
            except InvalidInput as exc:
                form.add_error("file", f"{exc.field}: {exc.message}")
    return render(
        request,
        "journeys/operational.html",
        {
            "form": form,
            "rows": operational.list_operational(actor)[-200:][::-1],
            "metrics": operational.OP_METRICS,
            "columns": operational.COLUMNS,
            "can_import": actor.can(Perm.RESPONSES_WRITE),
        },
    )
