"""The privacy page: find what is held about a person, export it, erase it; the request log
with due dates and archives. Each view parses the form and calls one service."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.web.views import member_required

from . import services

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
