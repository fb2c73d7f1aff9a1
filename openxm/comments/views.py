"""Text analytics pages: the overview (topics, chart, verbatims) and re-analysis jobs.

Each view checks its input and calls the services; configuration pages (taxonomy, classifiers,
themes) are in ``config_views``.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts import services as accounts
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.surveys import services as surveys
from openxm.text.flags import FLAG_KINDS
from openxm.web.views import member_required

from . import charts, corrections, services
from .forms import SENTIMENT_CHOICES, FilterForm
from .queries import as_tree
from .taxonomies import topic_labels

SCOPE_FIELDS = ("survey", "touchpoint", "period", "unit", "language")


def _language() -> str:
    return translation.get_language() or "en"


def _filters(request):
    """(form, values, scope, problem) of the page's GET parameters; a bad value is shown, not a 500."""
    actor = request.actor
    form = FilterForm(
        request.GET or None,
        surveys=surveys.list_surveys(actor),
        touchpoints=services.touchpoint_choices(actor),
        units=accounts.list_units(actor),
    )
    values = form.values() if form.is_bound else FilterForm.values_default()
    problem = None
    try:
        scope = services.slice_for(actor, **values)
    except InvalidInput as exc:
        problem = f"{exc.field}: {exc.message}"
        values = FilterForm.values_default()
        scope = services.slice_for(actor, **values)
    return form, values, scope, problem


def _query(values: dict, **extra) -> str:
    merged = {k: v for k, v in {**values, **extra}.items() if v}
    return urlencode(merged)


@member_required(Perm.DASHBOARDS_VIEW)
def overview(request):
    actor = request.actor
    form, values, scope, problem = _filters(request)
    language = _language()
    figures = services.figures(actor, scope, language=language)
    tree = as_tree(figures)
    top = [f.topic for f in figures if not f.parent][:5]
    bucket = {"30d": "day", "90d": "week", "180d": "week"}.get(values["period"], "month")
    trend = services.trends(actor, scope, top, bucket=bucket, language=language)
    chart_data = {"topic-map": charts.topic_map(figures), "topic-trend": charts.trend_chart(trend)}
    can_configure = actor.can(Perm.TEXT_CONFIGURE)
    can_read = actor.can(Perm.RESPONSES_VIEW)
    selected_topic = request.GET.get("topic", "")
    selected_sentiment = request.GET.get("sentiment", "")
    context = {
        "filter_form": form,
        "filters": values,
        "scope_query": _query(values),
        "problem": problem,
        "summary": services.summary(actor, scope),
        "figures": tree,
        "flags": services.figures(actor, scope, kind="flag", language=language),
        "intents": services.figures(actor, scope, kind="intent", language=language),
        "chart_data": chart_data,
        "has_impact": any(f.nps_impact is not None for f in figures),
        "has_csat": any(f.csat_impact is not None for f in figures),
        "has_trend": any(f.trend is not None for f in figures),
        "can_configure": can_configure,
        "can_read": can_read,
        "taxonomy": services.taxonomy(actor),
        "topic_choices": [(f.topic, ("— " * f.depth) + f.label) for f in tree],
        "sentiment_choices": SENTIMENT_CHOICES,
        "selected_topic": selected_topic,
        "selected_sentiment": selected_sentiment,
        "survey_title": dict(form.fields["survey"].choices).get(values["survey"] or "", "")
        if values["survey"]
        else "",
    }
    if can_read:
        context["page"] = _verbatim_page(request, values, topic=selected_topic, sentiment=selected_sentiment)
        context["verbatim_query"] = _query(values, topic=selected_topic, sentiment=selected_sentiment)
        context["redacted_view"] = not actor.can(Perm.PII_VIEW)
        context.update(_correction_context(actor))
    if can_configure:
        context["pending"] = services.pending_count(actor)
        context["jobs"] = services.list_jobs(actor, limit=1)
    return render(request, "comments/overview.html", context)


def _correction_context(actor) -> dict:
    """What the verbatims need to show the one-click correction controls (``text.configure``)."""
    if not actor.can(Perm.TEXT_CONFIGURE):
        return {"can_correct": False}
    document = services.taxonomy(actor).document
    labels = topic_labels(document, _language())
    return {
        "can_correct": True,
        "correction_sentiments": [c for c in SENTIMENT_CHOICES if c[0]],
        "correction_flags": FLAG_KINDS,
        "correction_topics": [
            (t["id"], ("— " * t["id"].count(".")) + labels[t["id"]]) for t in document["topics"]
        ],
    }


def _response_url(response_id: int) -> str | None:
    try:
        return reverse("responses:detail", args=[response_id])
    except NoReverseMatch:
        return None


def _verbatim_page(request, values, *, topic="", sentiment="", flag="", query="", offset=0):
    actor = request.actor
    scope = services.slice_for(actor, **values)
    page = services.verbatims(
        actor,
        scope,
        topic=topic,
        sentiment=sentiment,
        flag=flag,
        query=query,
        offset=offset,
        limit=20,
        language=_language(),
    )
    return {"result": page, "items": [(r, _response_url(r.response_id)) for r in page.rows]}


@member_required(Perm.RESPONSES_VIEW)
def verbatims(request):
    """The verbatim list (a partial for HTMX; the overview page renders the first one)."""
    _form, values, _scope, _problem = _filters(request)
    get = request.GET
    try:
        offset = max(0, int(get.get("offset", "0") or 0))
    except ValueError:
        offset = 0
    try:
        page = _verbatim_page(
            request,
            values,
            topic=get.get("topic", ""),
            sentiment=get.get("sentiment", ""),
            flag=get.get("flag", ""),
            query=get.get("q", ""),
            offset=offset,
        )
    except InvalidInput as exc:
        return HttpResponse(f"{exc.field}: {exc.message}", status=400)
    more = _query(
        values,
        topic=get.get("topic", ""),
        sentiment=get.get("sentiment", ""),
        flag=get.get("flag", ""),
        q=get.get("q", ""),
        offset=page["result"].next_offset,
    )
    template = "comments/_verbatim_items.html" if offset else "comments/_verbatims.html"
    return render(request, template, {"page": page, "more_query": more, **_correction_context(request.actor)})


@member_required(Perm.RESPONSES_VIEW)
def response_comments(request, pk: int):
    """The analysed comments of one response, with the correction controls for members who may
    correct them: the panel the response page and the case page load (the responses room cannot
    import this one). A correction made without JavaScript returns to ``?next=`` (a path on this
    site: the case page sends its own) or to the response page."""
    page = services.response_comments(request.actor, pk, language=_language())  # 404 outside the scope
    context = {
        "rows": page.rows,
        "next": _local(request, request.GET.get("next", "")) or reverse("responses:detail", args=[pk]),
        **_correction_context(request.actor),
    }
    return render(request, "comments/_response_comments.html", context)


@member_required(Perm.TEXT_CONFIGURE)
@require_POST
def correct(request, pk: int):
    """One click (or key) on a verbatim: correct its sentiment, remove a topic or a flag, or add one.

    With HTMX the corrected verbatim is returned in place; without, back to the page it came
    from (``next``, when it is a path on this site) or to the overview.
    """
    post = request.POST
    action = post.get("action")
    add_topic = post.get("add_topic", "") if action == "add_topic" else ""
    add_flag = post.get("add_flag", "") if action == "add_flag" else ""
    try:
        result = corrections.correct_comment(
            request.actor,
            pk,
            sentiment=post.get("sentiment") or None,
            add_topics=[add_topic] if add_topic else None,
            remove_topics=[post["remove_topic"]] if post.get("remove_topic") else None,
            add_flags=[add_flag] if add_flag else None,
            remove_flags=[post["remove_flag"]] if post.get("remove_flag") else None,
        )
    except InvalidInput as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(f"{exc.field}: {exc.message}", status=400)
        messages.error(request, exc.message)
        return redirect(_back(request))
    if not request.headers.get("HX-Request"):
        messages.success(request, _("Correction saved."))
        return redirect(_back(request))
    page = services.response_comments(request.actor, result.analysis.response_id, language=_language())
    row = next(r for r in page.rows if r.id == result.analysis.pk)
    context = {
        "row": row,
        # On the response or case page (the places that send ``next``) no link to the response.
        "link": None if post.get("next") else _response_url(row.response_id),
        "next": post.get("next", ""),
        **_correction_context(request.actor),
    }
    return render(request, "comments/_verbatim_item.html", context)


def _local(request, target: str) -> str:
    """``target`` when it is a path on this site, else ""."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _back(request) -> str:
    return _local(request, request.POST.get("next", "")) or reverse("comments:overview")


# --- Re-analysis ------------------------------------------------------------------------------


@member_required(Perm.TEXT_CONFIGURE)
@require_POST
def reanalyse(request):
    survey = request.POST.get("survey") or None
    try:
        job = services.start_reanalysis(request.actor, survey=survey, reason=request.POST.get("reason", ""))
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("back") or "comments:overview")
    return redirect("comments:job", job.pk)


@member_required(Perm.TEXT_CONFIGURE)
def job(request, pk: int):
    job = services.get_job(request.actor, pk)
    return render(request, "comments/job.html", {"job": job})


@member_required(Perm.TEXT_CONFIGURE)
def job_progress(request, pk: int):
    """The progress partial the job page polls every second; it stops polling once the job ends."""
    job = services.get_job(request.actor, pk)
    return render(request, "comments/_job_progress.html", {"job": job})
