"""Contact pages: the directory, a profile with its timeline, imports, duplicates and merges,
high-value customers at risk, segments, the value model, and the service and experience of each
value tier. Each view checks its input and
calls one service of ``openxm.customers`` or ``openxm.profiles``."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.customers import directory as contacts
from openxm.customers import importing, tiers
from openxm.web.views import member_required

from . import cases, churn, directory, merging, segments, timeline, value
from .forms import ContactForm, ImportForm, RefreshForm, SearchForm, SegmentForm, TierServiceForm


def _form_error(form, exc: InvalidInput) -> None:
    name = exc.field.split(".")[-1].split("[")[0]
    if name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, f"{exc.field}: {exc.message}")


@member_required(Perm.RESPONSES_VIEW)
def directory_page(request):
    actor = request.actor
    form = SearchForm(request.GET or None)
    filters = contacts.Filters(**form.cleaned_data) if form.is_valid() else contacts.Filters()
    try:
        after = int(request.GET.get("after") or 0)
    except ValueError:
        after = 0
    try:
        page = directory.page(actor, filters, after=after, limit=50)
    except InvalidInput as exc:
        _form_error(form, exc)
        page = directory.Page([], None)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "profiles/directory.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_write": actor.can(Perm.RESPONSES_WRITE),
            "new": ContactForm(),
            "upload": ImportForm(),
        },
    )


@member_required(Perm.RESPONSES_WRITE)
def create_page(request):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contacts.create_contact(
                request.actor, {k: v for k, v in form.cleaned_data.items() if v}
            )
            messages.success(request, _("Contact created."))
            return redirect("profiles:profile", contact_id=contact.pk)
        except InvalidInput as exc:
            _form_error(form, exc)
    return render(request, "profiles/create.html", {"form": form})


@member_required(Perm.RESPONSES_WRITE)
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data, upload = form.cleaned_data, form.cleaned_data["file"]
        run = importing.import_contacts if data["what"] == "contacts" else importing.import_events
        try:
            report = run(request.actor, upload, upload.name, dry_run=data["dry_run"])
        except InvalidInput as exc:
            _form_error(form, exc)
    return render(request, "profiles/import.html", {"form": form, "report": report})


@member_required(Perm.RESPONSES_VIEW)
def profile_page(request, contact_id):
    actor = request.actor
    profile = directory.profile(actor, contact_id)
    return render(
        request,
        "profiles/profile.html",
        {
            "profile": profile,
            "items": timeline.timeline(actor, contact_id, limit=100),
            "can_merge": actor.can(Perm.DATA_DELETE),
            "can_open_case": actor.can(Perm.CASES_WORK),
            "open_case": cases.open_cases(actor.scope, [profile.card.pk]).get(profile.card.pk),
        },
    )


@member_required(Perm.RESPONSES_VIEW)
def at_risk_page(request):
    try:
        min_risk = min(max(float(request.GET.get("min_risk") or 0.5), 0.0), 1.0)
    except ValueError:
        min_risk = 0.5
    found = directory.at_risk(request.actor, min_risk, 100)
    open_cases = cases.open_cases(request.actor.scope, [card.pk for card, _v in found])
    rows = [
        (card, v, [value.reason_text(r) for r in v.churn_reasons], open_cases.get(card.pk))
        for card, v in found
    ]
    return render(
        request,
        "profiles/at_risk.html",
        {
            "rows": rows,
            "min_risk": min_risk,
            "can_write": request.actor.can(Perm.RESPONSES_WRITE),
            "can_open_case": request.actor.can(Perm.CASES_WORK),
            "win_back": segments.WIN_BACK_ATTRIBUTE,
        },
    )


@member_required(Perm.CASES_WORK)
@require_POST
def open_case_page(request, contact_id):
    """The "Open a case" button of the at-risk list and of a profile; back to where it was."""
    back = reverse("profiles:at_risk") if request.POST.get("back") == "at_risk" else None
    back = back or reverse("profiles:profile", kwargs={"contact_id": contact_id})
    try:
        opened = cases.open_for_risk(request.actor, contact_id)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect(back)
    if opened.created:
        messages.success(request, _("Case #%(id)s opened.") % {"id": opened.case_id})
    else:
        messages.info(request, _("Case #%(id)s is open already.") % {"id": opened.case_id})
    return redirect(back)


@member_required(Perm.RESPONSES_WRITE)
@require_POST
def win_back_page(request, contact_id):
    try:
        segment = segments.add_to_win_back(request.actor, contact_id)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect("profiles:at_risk")
    messages.success(request, _("Added to the segment %(name)s.") % {"name": segment.name})
    return redirect("profiles:at_risk")


@member_required(Perm.DATA_DELETE)
def duplicates_page(request):
    return render(request, "profiles/duplicates.html", {"groups": merging.candidates(request.actor)})


@member_required(Perm.DATA_DELETE)
def merge_page(request, contact_id, other_id):
    actor = request.actor
    if request.method == "POST":
        try:
            record = merging.merge(actor, contact_id, other_id)
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
            return redirect("profiles:profile", contact_id=contact_id)
        messages.success(request, _("Contacts merged. The merge can be undone from the profile."))
        return redirect("profiles:profile", contact_id=record.survivor_id)
    try:
        preview = merging.preview(actor, contact_id, other_id)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect("profiles:profile", contact_id=contact_id)
    return render(request, "profiles/merge.html", {"preview": preview})


@member_required(Perm.DATA_DELETE)
@require_POST
def unmerge_page(request, merge_id):
    try:
        record = merging.unmerge(request.actor, merge_id)
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
        return redirect("profiles:directory")
    messages.success(request, _("Merge undone."))
    return redirect("profiles:profile", contact_id=record.survivor_id)


@member_required(Perm.RESPONSES_VIEW)
def segments_page(request):
    actor = request.actor
    form = SegmentForm(request.POST or None)
    if request.method == "POST":
        actor.require(Perm.RESPONSES_WRITE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                seg = segments.save_segment(actor, data["key"], data["name"], data["condition"])
                messages.success(request, _("Segment saved."))
                return redirect("profiles:segment", key=seg.key)
            except InvalidInput as exc:
                _form_error(form, exc)
    rows = [(s, segments.size(actor, s.condition)) for s in segments.list_segments(actor)]
    return render(
        request,
        "profiles/segments.html",
        {
            "rows": rows,
            "form": form,
            "can_write": actor.can(Perm.RESPONSES_WRITE),
            "fields": segments.FIELDS,
        },
    )


@member_required(Perm.RESPONSES_VIEW)
def segment_page(request, key):
    actor = request.actor
    if request.method == "POST" and request.POST.get("delete"):
        segments.delete_segment(actor, key)
        messages.success(request, _("Segment deleted."))
        return redirect("profiles:segments")
    seg = segments.get_segment(actor, key)
    page = segments.members(actor, seg.condition, limit=100)
    stored = value.values_of(actor.scope, [c.pk for c in page.contacts])
    cards = directory.cards(actor.scope, page.contacts, stored)
    return render(
        request,
        "profiles/segment.html",
        {
            "segment": seg,
            "size": segments.size(actor, seg.condition),
            "cards": cards,
            "can_write": actor.can(Perm.RESPONSES_WRITE),
        },
    )


@member_required(Perm.RESPONSES_VIEW)
def value_page(request):
    actor = request.actor
    form = RefreshForm(request.POST or None)
    if request.method == "POST":
        actor.require(Perm.RESPONSES_WRITE)
        if form.is_valid():
            done = value.refresh_for(actor, **form.cleaned_data)
            messages.success(request, _("Values recomputed for %(n)s customers.") % {"n": done.contacts})
            return redirect("profiles:value")
    return render(
        request,
        "profiles/value.html",
        {
            "run": value.latest_run_for(actor),
            "form": form,
            "can_write": actor.can(Perm.RESPONSES_WRITE),
            "churn_models": churn.models(actor),
            "can_manage": actor.can(Perm.ORG_MANAGE),
        },
    )


@member_required(Perm.ORG_MANAGE)
@require_POST
def churn_evaluate_page(request):
    try:
        record = churn.evaluate_model(request.actor)
        messages.success(
            request,
            _("Churn model evaluated: AUC %(auc).3f. It is off until you switch it on.")
            % {"auc": record.metrics["auc"]},
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return redirect("profiles:value")


@member_required(Perm.ORG_MANAGE)
@require_POST
def churn_switch_page(request, model_id):
    on = request.POST.get("on") == "1"
    try:
        churn.switch_on(request.actor, model_id, on)
        messages.success(request, _("Churn model switched on.") if on else _("Churn model switched off."))
    except InvalidInput as exc:
        messages.error(request, exc.message)
    return redirect("profiles:value")


@member_required(Perm.RESPONSES_VIEW)
def tiers_page(request):
    """The service and the experience of each value tier; ``org.manage`` changes the service."""
    actor = request.actor
    if request.method == "POST":
        actor.require(Perm.ORG_MANAGE)
        form = TierServiceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("reset"):
                    tiers.reset_settings(actor, data["tier"])
                else:
                    tiers.save_settings(actor, data["tier"], data)
                label = tiers.tier_label(data["tier"])
                messages.success(request, _("Service of %(tier)s saved.") % {"tier": label})
                return redirect("profiles:tiers")
            except InvalidInput as exc:
                messages.error(request, f"{exc.field}: {exc.message}")
        else:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else name
                messages.error(request, f"{label}: {' '.join(errors)}")
    return render(request, "profiles/tiers.html", value.tier_overview(actor))
