"""The privacy page: find what is held about a person, export it, erase it; the request log
with due dates and archives. Each view parses the form and calls one service."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.personal_data import retention_types
from openxm.web.views import member_required

from . import retention, services

FIELDS = ("email", "phone", "wechat", "contact")


@member_required(Perm.PRIVACY_MANAGE)
def requests(request):
    actor = request.actor
    form = {k: (request.POST or request.GET).get(k, "").strip() for k in FIELDS}
    preview, problem = None, None
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action:
        try:
            if action == "find":
                preview = services.find_subject(actor, **form)
            elif action == "export":
                done = services.export_request(actor, **form)
                messages.success(request, _("Export ready: request %(id)s.") % {"id": done.pk})
                return redirect("privacy:requests")
            elif action in ("erase", "anonymise"):
                if request.POST.get("confirm") != "yes":
                    raise InvalidInput("confirm", _("tick the box to confirm the erasure"))
                done = services.erase_request(actor, mode=action, **form)
                messages.success(
                    request,
                    _("Erased: request %(id)s, %(rows)s rows.")
                    % {"id": done.pk, "rows": sum(done.counts.values())},
                )
                return redirect("privacy:requests")
        except InvalidInput as exc:
            problem = f"{exc.field}: {exc.message}"
    return render(
        request,
        "privacy/requests.html",
        {
            "form": form,
            "preview": preview,
            "problem": problem,
            "log": services.list_requests(actor),
            "deadline": services.get_settings(actor.organization),
        },
    )


@member_required(Perm.PRIVACY_MANAGE)
def retention_page(request):
    """Set or delete a policy, see the dry run, apply the policies now."""
    actor = request.actor
    plan, problem, kinds = None, None, retention_types()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "set":
                try:
                    months = int(request.POST.get("months", ""))
                except ValueError:
                    months = -1
                retention.set_policy(
                    actor, request.POST.get("data_type", ""), months, request.POST.get("survey", "")
                )
                messages.success(request, _("Retention policy saved."))
                return redirect("privacy:retention")
            if action == "delete":
                retention.delete_policy(actor, int(request.POST.get("policy", "0") or 0))
                return redirect("privacy:retention")
            if action == "dry_run":
                plan = retention.plan(actor)
            elif action == "apply":
                done = retention.apply(actor)
                messages.success(
                    request, _("%(rows)s rows removed or anonymised.") % {"rows": sum(i.count for i in done)}
                )
                return redirect("privacy:retention")
        except InvalidInput as exc:
            problem = f"{exc.field}: {exc.message}"
    return render(
        request,
        "privacy/retention.html",
        {
            "policies": [(p, kinds.get(p.data_type)) for p in retention.list_policies(actor)],
            "kinds": kinds,
            "plan": plan,
            "problem": problem,
        },
    )


@member_required(Perm.PRIVACY_MANAGE)
@require_POST
def deadline(request):
    try:
        days = int(request.POST.get("deadline_days", ""))
    except ValueError:
        days = -1
    try:
        services.set_deadline(request.actor, days, request.POST.get("working_days") == "on")
        messages.success(request, _("Deadline saved."))
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    return redirect("privacy:requests")


@member_required(Perm.PRIVACY_MANAGE)
def archive(request, request_id: int):
    path = services.archive_file(request.actor, request_id)
    return FileResponse(
        open(path, "rb"), as_attachment=True, filename=path.name, content_type="application/zip"
    )
