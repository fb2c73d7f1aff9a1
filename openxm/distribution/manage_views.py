"""Distribution management pages (/distribution/...): channels, links and QR codes, inviting
contacts, delivery logs, triggers, messengers and the contact policy. Each view checks its input
and calls one service."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.surveys import services as surveys
from openxm.web.views import member_required

from . import audiences, qr, services
from .forms import DistributionForm, InviteForm, MessengerForm, PolicyForm, SegmentInviteForm, TriggerForm
from .models import PERSONAL_CHANNELS, Channel, Invitation

PUBLIC = ("link", "qr", "intercept", "app")


def _form_error(form, exc: InvalidInput) -> None:
    field = exc.field.split(".")[0]
    form.add_error(field if field in form.fields else None, exc.message)


@member_required(Perm.DASHBOARDS_VIEW)
def overview(request):
    actor = request.actor
    return render(
        request,
        "distribution/overview.html",
        {
            "rows": services.list_distributions(actor, request.GET.get("survey") or None),
            "can_distribute": actor.can(Perm.SURVEYS_DISTRIBUTE),
            "channels": dict(Channel.choices),
        },
    )


@member_required(Perm.SURVEYS_DISTRIBUTE)
def create(request):
    actor = request.actor
    published = [s for s in surveys.list_surveys(actor) if s.version is not None]
    initial = {"survey": request.GET.get("survey"), "channel": request.GET.get("channel", "link")}
    form = DistributionForm(request.POST or None, initial=initial, surveys=published)
    if request.method == "POST" and form.is_valid():
        try:
            dist = services.create_distribution(
                actor, form.cleaned_data["survey"], form.cleaned_data["channel"], **form.service_kwargs()
            )
            messages.success(request, _("Distribution created."))
            return redirect("distribution:detail", pk=dist.pk)
        except InvalidInput as exc:
            _form_error(form, exc)
    return render(
        request,
        "distribution/create.html",
        {"form": form, "has_surveys": bool(published), "fields": form.fields_by_channel()},
    )


@member_required(Perm.SURVEYS_DISTRIBUTE)
@require_POST
def share_link(request, survey_id):
    """The survey page's "Create a public link": open one and go back to the share panel."""
    try:
        services.open_public_link(request.actor, survey_id)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    return redirect(reverse("surveys:detail", args=[survey_id]) + "#share")


@member_required(Perm.DASHBOARDS_VIEW)
def detail(request, pk):
    actor = request.actor
    dist = services.get_distribution(actor, pk)
    public = dist.channel in PUBLIC
    return render(
        request,
        "distribution/detail.html",
        {
            "dist": dist,
            "channel_label": Channel(dist.channel).label,
            "link": services.public_link(dist) if public else "",
            "snippet": services.intercept_snippet(dist) if dist.channel == Channel.INTERCEPT else "",
            "personal": dist.channel in PERSONAL_CHANNELS,
            "counts": [
                (Invitation.Status(status).label, n)
                for status, n in services.invitation_counts(actor, dist).items()
            ],
            "invitations": services.recent_invitations(actor, dist) if actor.can(Perm.RESPONSES_VIEW) else [],
            "can_distribute": actor.can(Perm.SURVEYS_DISTRIBUTE),
            "invite_form": InviteForm(),
            "segment_form": SegmentInviteForm(segments=audiences.segment_choices(actor)),
        },
    )


@member_required(Perm.DASHBOARDS_VIEW)
def qr_code(request, pk, fmt):
    dist = services.get_distribution(request.actor, pk)
    if dist.channel not in PUBLIC or fmt not in qr.FORMATS:
        raise Http404("no QR code")
    response = HttpResponse(qr.qr_code(services.public_link(dist), fmt), content_type=qr.FORMATS[fmt])
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="survey-{dist.pk}-qr.{fmt}"'
    return response


@member_required(Perm.SURVEYS_DISTRIBUTE)
@require_POST
def invite(request, pk):
    form = InviteForm(request.POST)
    if not form.is_valid():
        for name in ("contacts", "send_at"):
            for error in form.errors.get(name, []):
                messages.error(request, f"{form.fields[name].label}: {error}")
        return redirect("distribution:detail", pk=pk)
    send_at = form.cleaned_data.get("send_at")  # aware, in the organization's zone (middleware)
    try:
        result = services.invite_contacts(request.actor, pk, form.cleaned_data["contacts"], send_at=send_at)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect("distribution:detail", pk=pk)
    return _invited(request, pk, result, send_at)


@member_required(Perm.SURVEYS_DISTRIBUTE)
@require_POST
def invite_segment(request, pk):
    form = SegmentInviteForm(request.POST, segments=audiences.segment_choices(request.actor))
    if not form.is_valid():
        for name in ("segment", "send_at"):
            for error in form.errors.get(name, []):
                messages.error(request, f"{form.fields[name].label}: {error}")
        return redirect("distribution:detail", pk=pk)
    send_at = form.cleaned_data.get("send_at")
    try:
        result = audiences.invite_segment(request.actor, pk, form.cleaned_data["segment"], send_at=send_at)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect("distribution:detail", pk=pk)
    return _invited(request, pk, result, send_at)


def _invited(request, pk, result, send_at):
    skipped = ", ".join(f"{k}: {v}" for k, v in result.skipped.items())
    if send_at:
        done = _("%(n)s invitations scheduled for %(when)s.") % {
            "n": len(result.invited),
            "when": date_format(timezone.localtime(send_at), "DATETIME_FORMAT"),
        }
    else:
        done = _("%(n)s invitations queued.") % {"n": len(result.invited)}
    messages.success(request, done + (" " + _("Not invited: %(why)s.") % {"why": skipped} if skipped else ""))
    return redirect("distribution:detail", pk=pk)


@member_required(Perm.SURVEYS_DISTRIBUTE)
@require_POST
def toggle(request, pk):
    dist = services.set_active(request.actor, pk, request.POST.get("active") == "1")
    messages.success(
        request, _("The distribution is open.") if dist.active else _("The distribution is closed.")
    )
    return redirect("distribution:detail", pk=pk)


@member_required(Perm.RESPONSES_VIEW)
def invitation_detail(request, pk):
    invitation, log = services.get_invitation(request.actor, pk)
    return render(request, "distribution/invitation.html", {"invitation": invitation, "log": log})


@member_required(Perm.DASHBOARDS_VIEW)
def triggers(request):
    actor = request.actor
    personal = [d for d in services.list_distributions(actor) if d.channel in PERSONAL_CHANNELS and d.active]
    form = TriggerForm(request.POST or None, distributions=personal)
    if request.method == "POST":
        actor.require(Perm.SURVEYS_DISTRIBUTE)
        if request.POST.get("delete"):
            services.delete_trigger(actor, int(request.POST["delete"]))
            messages.success(request, _("Trigger deleted."))
            return redirect("distribution:triggers")
        if form.is_valid():
            try:
                services.create_trigger(
                    actor,
                    form.cleaned_data["event"],
                    form.cleaned_data["distribution"],
                    sample_percent=form.cleaned_data["sample_percent"],
                    survey_cap_days=form.cleaned_data["survey_cap_days"],
                )
                messages.success(request, _("Trigger created."))
                return redirect("distribution:triggers")
            except InvalidInput as exc:
                _form_error(form, exc)
    return render(
        request,
        "distribution/triggers.html",
        {
            "triggers": services.list_triggers(actor),
            "form": form,
            "can_distribute": actor.can(Perm.SURVEYS_DISTRIBUTE),
        },
    )


@member_required(Perm.SURVEYS_DISTRIBUTE)
def messengers(request):
    actor = request.actor
    form = MessengerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_messenger(
                actor, form.cleaned_data["kind"], form.cleaned_data["name"], form.cleaned_data["config"]
            )
            messages.success(request, _("Provider added."))
            return redirect("distribution:messengers")
        except InvalidInput as exc:
            form.add_error("config", f"{exc.field}: {exc.message}")
    return render(
        request, "distribution/messengers.html", {"messengers": services.list_messengers(actor), "form": form}
    )


@member_required(Perm.DASHBOARDS_VIEW)
def policy(request):
    actor = request.actor
    current = services.get_policy(actor)
    form = PolicyForm(
        request.POST or None,
        initial={
            "contact_cap_days": current.contact_cap_days,
            "emails_per_minute": current.emails_per_minute,
            "messages_per_minute": current.messages_per_minute,
        },
    )
    if request.method == "POST":
        actor.require(Perm.SURVEYS_DISTRIBUTE)
        if form.is_valid():
            services.save_policy(actor, **form.cleaned_data)
            messages.success(request, _("Contact rules saved."))
            return redirect("distribution:policy")
    return render(
        request,
        "distribution/policy.html",
        {"form": form, "can_distribute": actor.can(Perm.SURVEYS_DISTRIBUTE)},
    )
