"""Respondent pages (/r/...): plain forms, POST/redirect/GET, no JavaScript, no session cookie.

Views parse the request, rebuild the respondent's session (``entry``), and call
``respond.submit_page``. Respondent forms are exempt from CSRF checks: they carry signed state
instead, and must work inside a third-party iframe (intercepts), where the CSRF cookie is not sent.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from openxm.accounts import services as accounts
from openxm.accounts.errors import NotFound
from openxm.accounts.roles import Perm, role_has
from openxm.surveys import definition as sd
from openxm.surveys import services as surveys

from . import entry, invitations, ratelimit, respond, tokens
from .models import Channel

HONEYPOT = "website"
PREVIEW_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _message(request, session_or_language, text: str, status: int = 200, title: str = "", kind: str = "info"):
    language = getattr(session_or_language, "language", session_or_language) or "en"
    with translation.override(respond.django_language(language)):
        return render(
            request,
            "respond/message.html",
            {"language": language, "title": title or text, "text": text, "kind": kind},
            status=status,
        )


def _unavailable(request, exc: entry.Unavailable):
    language = request.GET.get("lang") or exc.language or "en"
    language = sd.canonical_language(language)
    return _message(request, language, exc.reason, status=exc.status, kind=exc.kind)


def _frame_headers(response, session: respond.Session | None, embed: bool) -> HttpResponse:
    """An intercept shows the survey in an iframe on the company's site: let those origins frame it."""
    if (
        embed
        and session is not None
        and session.distribution is not None
        and (session.distribution.channel == Channel.INTERCEPT)
    ):
        origins = " ".join(session.distribution.options.get("allowed_origins") or []) or "*"
        response["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            f"frame-ancestors {origins}; base-uri 'self'; form-action 'self'"
        )
        response.xframe_options_exempt = True
    return response


def _render_page(
    request,
    session: respond.Session,
    page_id: str,
    *,
    action: str,
    state: str = "",
    errors=None,
    shown_answers=None,
    status: int = 200,
    back_url: str = "",
    embed: bool = False,
):
    context = respond.page_context(session, page_id, errors=errors, shown_answers=shown_answers)
    context["language_links"] = _language_links(request, session, page_id, state if session.preview else "")
    context.update(
        {
            "action": action,
            "state": state,
            "back_url": back_url,
            "honeypot": HONEYPOT,
            "resumable": session.invitation is not None,
            "embed": embed,
        }
    )
    with translation.override(respond.django_language(session.language)):
        response = render(request, "respond/page.html", context, status=status)
    return _frame_headers(response, session, embed)


def _language_links(request, session, page_id: str, state: str) -> list[tuple[str, str, str]]:
    """(code, name, url) per survey language: the same page in that language, other query kept."""
    links = []
    for code, name in respond.language_choices(session.definition):
        params = request.GET.copy()
        params["lang"] = code
        if session.response is not None or session.preview:
            params["page"] = page_id
        if state:
            params["state"] = state
        links.append((code, name, f"{request.path}?{params.urlencode()}"))
    return links


def _render_ending(request, session: respond.Session, ending_id, embed: bool = False):
    text, redirect_url = respond.ending_text(session, ending_id)
    if redirect_url and not embed:
        return redirect(redirect_url)
    with translation.override(respond.django_language(session.language)):
        response = render(
            request,
            "respond/ending.html",
            {
                "language": session.language,
                "text": text,
                "survey_title": respond.survey_title(session),
            },
        )
    return _frame_headers(response, session, embed)


def _query(**params) -> str:
    clean = {k: v for k, v in params.items() if v}
    return f"?{urlencode(clean)}" if clean else ""


def _blocked(request, session) -> HttpResponse | None:
    """Spam defences for a submitted page: the rate limits (429) and the honeypot."""
    if not ratelimit.allow_submission(_client_ip(request), session.survey.pk):
        limited = _message(
            request,
            session,
            _("Too many answers were sent from here in a short time. Please wait a minute and try again."),
            status=429,
            kind="limited",
        )
        limited["Retry-After"] = str(ratelimit.retry_after())
        return limited
    return None


def _after_submit(request, session, outcome, page_id, *, action, state="", embed=False):
    """The response to a submitted page: the page again with errors, or a redirect onwards."""
    if outcome.errors:
        return _render_page(
            request,
            session,
            page_id,
            action=action,
            state=state,
            errors=outcome.errors,
            shown_answers=outcome.shown_answers,
            status=422,
            embed=embed,
        )
    if outcome.stopped:
        # A full quota with action "stop": its message, and nothing to resume.
        stopped = _message(request, session, outcome.message, kind="quota")
        if session.distribution is not None:
            stopped.delete_cookie(f"oxr{session.distribution.pk}", path="/r/", samesite="Lax")
        return _frame_headers(stopped, session, embed)
    extra = {"embed": "1" if embed else ""}
    if outcome.finished:
        done = tokens.done_token(session.org.pk, outcome.response.pk)
        response = redirect(reverse("distribution:done", args=[done]) + _query(**extra))
        if outcome.response.status == "screened" and session.invitation is None:
            # Coming back through the link shows the quota's ending again, not a fresh survey
            # to answer differently.
            _remember(request, response, session, tokens.resume_token(session.org.pk, outcome.response.pk))
        return response
    if session.invitation is not None:
        return redirect(request.path + _query(**extra))
    resume = tokens.resume_token(session.org.pk, outcome.response.pk)
    response = redirect(reverse("distribution:resume", args=[resume]) + _query(**extra))
    _remember(request, response, session, resume)
    return response


def _remember(request, response, session, resume: str) -> None:
    """The cookie that brings an anonymous respondent back to their response (per distribution)."""
    if session.distribution is not None:
        response.set_cookie(
            f"oxr{session.distribution.pk}",
            resume,
            max_age=30 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
            path="/r/",
        )


def _page_asked(request, session: respond.Session) -> str | None:
    """The page to show: ``?page=`` when the respondent may open it (going back), else the current one."""
    asked = request.GET.get("page") or ""
    if asked and asked in session.allowed_pages():
        return asked
    return session.current_page()


def _back_url(request, page_id: str | None, lang: str) -> str:
    return _query(page=page_id, lang=lang) if page_id else ""


# --- public link, QR code, intercept --------------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def public_link(request, token):
    embed = request.GET.get("embed") == "1"
    try:
        session = entry.public_session(token, request.GET, request.headers.get("Accept-Language", ""))
    except entry.Unavailable as exc:
        return _unavailable(request, exc)
    if request.method == "GET":
        remembered = request.COOKIES.get(f"oxr{session.distribution.pk}")
        if remembered and not embed:
            try:
                tokens.parse_resume(remembered)
                return redirect(
                    reverse("distribution:resume", args=[remembered]) + _query(lang=request.GET.get("lang"))
                )
            except tokens.BadToken:
                pass
        first = session.current_page()
        return _render_page(
            request,
            session,
            first,
            action=request.get_full_path(),
            state=entry.start_state(session),
            embed=embed,
        )
    try:
        entry.restore_start(session, tokens.load_state(request.POST.get("state", ""), "start"))
    except tokens.BadToken:
        return _message(request, session, _("This form has expired. Please open the link again."), status=400)
    if request.POST.get("lang") in session.definition.languages:
        session.language = request.POST["lang"]
    blocked = _blocked(request, session)
    if blocked:
        return blocked
    if request.POST.get(HONEYPOT):
        return _render_ending(request, session, None, embed)  # a bot: thank it and store nothing
    page_id = session.current_page()
    outcome = respond.submit_page(session, page_id, request.POST)
    return _after_submit(
        request,
        session,
        outcome,
        page_id,
        action=request.get_full_path(),
        state=entry.start_state(session),
        embed=embed,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def resume(request, token):
    embed = request.GET.get("embed") == "1"
    try:
        session = entry.resume_session(token)
    except entry.Unavailable as exc:
        return _unavailable(request, exc)
    return _continue(request, session, embed)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def personal_link(request, token):
    try:
        session = entry.invitation_session(token, request.GET, request.headers.get("Accept-Language", ""))
    except entry.Unavailable as exc:
        return _unavailable(request, exc)
    return _continue(request, session, embed=False)


def _continue(request, session: respond.Session, embed: bool):
    """GET shows the current (or an earlier) page of a stored session; POST submits it."""
    if session.response is not None and session.response.status != "partial":  # complete or screened
        return _render_ending(request, session, respond.stored_ending(session), embed)
    if request.GET.get("lang") in session.definition.languages:
        session.language = request.GET["lang"]
    if request.method == "GET":
        page_id = _page_asked(request, session)
        if page_id is None:
            return _render_ending(request, session, None, embed)
        allowed = session.allowed_pages()
        back = (
            allowed[allowed.index(page_id) - 1] if page_id in allowed and allowed.index(page_id) > 0 else None
        )
        return _render_page(
            request,
            session,
            page_id,
            action=request.path + _query(embed="1" if embed else ""),
            back_url=_back_url(request, back, request.GET.get("lang", "")),
            embed=embed,
        )
    if request.POST.get("lang") in session.definition.languages:
        session.language = request.POST["lang"]
    blocked = _blocked(request, session)
    if blocked:
        return blocked
    if request.POST.get(HONEYPOT):
        return _render_ending(request, session, None, embed)
    page_id = request.POST.get("page") or ""
    if page_id not in session.allowed_pages():
        return redirect(request.path)
    outcome = respond.submit_page(session, page_id, request.POST)
    return _after_submit(request, session, outcome, page_id, action=request.path, embed=embed)


@never_cache
def done(request, token):
    embed = request.GET.get("embed") == "1"
    try:
        session = entry.done_session(token)
    except entry.Unavailable as exc:
        return _unavailable(request, exc)
    return _render_ending(request, session, respond.stored_ending(session), embed)


# --- unsubscribe ----------------------------------------------------------------------------


@csrf_exempt  # RFC 8058 one-click unsubscribe posts without a CSRF token; the link is signed
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        target = invitations.unsubscribe_target(token)
    except NotFound:
        return _message(
            request, "en", _("This link is not valid. Please check that you copied all of it."), 404
        )
    language = target.invitation.language or target.invitation.contact.language or "en"
    if request.method == "POST":
        invitations.unsubscribe(target, ip_address=_client_ip(request))
        return _message(
            request,
            language,
            _("You will not receive more surveys from %(org)s.") % {"org": target.org.name},
            title=_("Unsubscribed"),
        )
    with translation.override(respond.django_language(language)):
        return render(request, "respond/unsubscribe.html", {"language": language, "org": target.org})


# --- the builder's preview ------------------------------------------------------------------


def _preview_survey(request, survey_id: int):
    """The survey with this id in any organization where the user may design surveys."""
    for membership in getattr(request, "memberships", None) or accounts.memberships_of(request.user):
        if not role_has(membership.role, Perm.SURVEYS_DESIGN):
            continue
        actor = accounts.actor_for_user(request.user, membership.organization, via="web")
        try:
            return surveys.get_survey(actor, survey_id)
        except NotFound:
            continue
    raise Http404("survey not found")


@login_required
@xframe_options_sameorigin
@never_cache
@require_http_methods(["GET", "POST"])
def preview(request, survey_id: int):
    """The survey's draft, page by page, as a respondent sees it; nothing is stored.

    ``?lang=`` picks the language and ``?page=`` opens a page directly; hidden fields may be given
    in the query string like on a public link.
    """
    survey = _preview_survey(request, survey_id)
    source = request.POST if request.method == "POST" else request.GET
    state = {}
    if source.get("state"):
        try:
            state = tokens.load_state(source["state"], "preview")
        except tokens.BadToken:
            state = {}
    try:
        session = entry.preview_session(survey, source.get("lang"), state)
    except sd.DefinitionError as exc:
        with translation.override(translation.get_language()):
            response = render(
                request,
                "respond/preview_invalid.html",
                {
                    "issues": [i.render(surveys.ui_language()) for i in exc.errors[:20]],
                    "language": surveys.ui_language(),
                    "survey": survey,
                },
            )
        response["Content-Security-Policy"] = PREVIEW_CSP
        return response
    if not state:
        session.hidden = respond.hidden_values(
            session.definition, {k: request.GET.get(k) for k in request.GET}
        )
    order = list(session.ordering.pages)
    if request.method == "POST":
        page_id = source.get("page") if source.get("page") in order else order[0]
        outcome = respond.submit_page(session, page_id, request.POST)
        if outcome.errors:
            response = _render_preview(
                request,
                session,
                page_id,
                errors=outcome.errors,
                shown_answers=outcome.shown_answers,
                status=422,
            )
        elif outcome.finished:
            text, _url = respond.ending_text(session, outcome.ending_id)
            with translation.override(respond.django_language(session.language)):
                response = render(
                    request,
                    "respond/ending.html",
                    {
                        "language": session.language,
                        "text": text,
                        "preview": True,
                        "restart_url": reverse("distribution:preview", args=[survey.pk])
                        + _query(lang=session.language),
                    },
                )
        else:
            response = _render_preview(request, session, outcome.next_page, previous=page_id)
    else:
        asked = source.get("page")
        page_id = (
            asked
            if asked in order
            else sd.next_step(
                session.definition, None, session.answers, session.context, session.ordering
            ).page_id
            or order[0]
        )
        response = _render_preview(request, session, page_id)
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response


def _render_preview(request, session, page_id, *, errors=None, shown_answers=None, status=200, previous=None):
    order = list(session.ordering.pages)
    state = entry.preview_state(session)
    back = None
    index = order.index(page_id)
    if previous and previous != page_id:
        back = previous
    elif index > 0:
        back = order[index - 1]
    base = reverse("distribution:preview", args=[session.survey.pk])
    back_url = base + _query(page=back, lang=session.language, state=state) if back else ""
    return _render_page(
        request,
        session,
        page_id,
        action=base + _query(lang=session.language),
        state=state,
        errors=errors,
        shown_answers=shown_answers,
        status=status,
        back_url=back_url,
    )


# --- website intercept ----------------------------------------------------------------------


@never_cache
def intercept_config(request, token):
    """What intercept.js needs: where the survey is and when to show it (public, any origin)."""
    from django.http import JsonResponse

    from . import services

    try:
        config = services.intercept_config(token)
    except entry.Unavailable:
        response = JsonResponse({"active": False}, status=404)
    else:
        response = JsonResponse(config)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response
