"""Request middleware: input hygiene, the user's language, the current organization, security
headers."""

import json
import zoneinfo

from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openxm.accounts import hygiene, services
from openxm.accounts.errors import InvalidInput
from openxm.utils import cleantext, forwarded, public_address

SESSION_ORG_KEY = "openxm_org"


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the cookie and the browser's Accept-Language.

    Runs after AuthenticationMiddleware (it needs the user) and so after LocaleMiddleware, whose
    choice it overrides for users who picked a language on any device.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        lang = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if lang and translation.check_for_language(lang):
            translation.activate(lang)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class CurrentOrganizationMiddleware:
    """Sets ``request.organization`` and ``request.actor`` for a signed-in member.

    The current organization is kept in the session; a user who belongs to none gets None.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.actor = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = services.memberships_of(user)
            request.memberships = memberships
            chosen = request.session.get(SESSION_ORG_KEY)
            current = next((m for m in memberships if m.organization.slug == chosen), None)
            current = current or (memberships[0] if memberships else None)
            if current is not None:
                request.organization = current.organization
                _activate_time_zone(current.organization.time_zone)
                request.actor = services.actor_for_user(
                    user, current.organization, via="web", ip_address=request.META.get("REMOTE_ADDR")
                )
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _activate_time_zone(name: str) -> None:
    """Dates on pages are shown in the organization's time zone."""
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


class PublicAddressMiddleware:
    """Remembers the request's scheme and host for links built while handling it, used when
    neither OPENXM_PUBLIC_URL nor the server's own address is known (openxm.utils.public_address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            base = f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:
            return self.get_response(request)
        token = public_address.set_request_base(base)
        try:
            return self.get_response(request)
        finally:
            public_address.reset_request_base(token)


class SecurityHeadersMiddleware:
    """A content security policy: only our own scripts and styles (no CDN, no inline script)."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class TrustedProxyMiddleware:
    """Behind a trusted proxy (``OPENXM_TRUSTED_PROXIES``), the client's address from
    X-Forwarded-For replaces ``REMOTE_ADDR`` and X-Forwarded-Proto sets the scheme; from anyone
    else both headers are ignored. First in the stack, so the SSL redirect, sign-in throttling,
    respondent rate limits and the audit log all see the real client. The proxy's own address
    stays in ``META["OPENXM_PROXY_ADDR"]``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        networks = forwarded.parse_networks(tuple(settings.OPENXM_TRUSTED_PROXIES))
        meta = request.META
        remote = meta.get("REMOTE_ADDR", "")
        if networks and forwarded.is_trusted(remote, networks):
            meta["OPENXM_PROXY_ADDR"] = remote
            meta["REMOTE_ADDR"] = forwarded.client_address(
                remote, meta.get("HTTP_X_FORWARDED_FOR", ""), networks
            )
            proto = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                meta["wsgi.url_scheme"] = proto
        return self.get_response(request)


JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class InputHygieneMiddleware:
    """Refuses, before any view runs, a request whose path, query string, form post or JSON body
    holds a NUL, a lone surrogate or a control character: 422 naming the field, as JSON for
    ``/api/`` and as a small translated page for people (see :mod:`openxm.accounts.hygiene`).

    A JSON body is parsed for this only when its text shows a bad character or an escape that
    could stand for one (``cleantext.json_text_clean``): most bodies are read once, by the route.

    Excluded: uploaded files (the file readers decode and report) and malformed JSON (the route
    reports it). Runs after LocaleMiddleware so the page speaks the visitor's language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self._check(request)
        except InvalidInput as exc:
            return refusal(request, 422, exc.message, exc.field)
        except MultiPartParserError:
            return refusal(request, 400, _("The form data could not be read."), "body")
        return self.get_response(request)

    @staticmethod
    def _check(request) -> None:
        hygiene.check_value("path", request.path)
        _check_query_dict(request.GET)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.content_type in FORM_TYPES:
            _check_query_dict(request.POST)
        elif request.content_type in JSON_TYPES or request.content_type.endswith("+json"):
            if _clean_json(request.body):  # the common case: no need to parse the body twice
                return
            try:
                data = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                return
            if isinstance(data, dict):
                _check_mapping(data)
            else:
                hygiene.check_value("body", data)


def _clean_json(body: bytes) -> bool:
    try:
        text = body.decode()
    except UnicodeDecodeError:  # json.loads reads UTF-16 and UTF-32 too: the full check decides
        return False
    return cleantext.json_text_clean(text)


def _check_query_dict(params) -> None:
    for name, values in params.lists():
        hygiene.check_value("parameter", name)
        for value in values:
            hygiene.check_value(name, value)


def _check_mapping(data: dict) -> None:
    for name, value in data.items():
        hygiene.check_value("body", name)
        hygiene.check_value(name, value)


def refusal(request, status: int, message: str, field: str | None = None, headers: dict | None = None):
    """A refused request: JSON ``{"detail", "field"}`` under /api/, else a small page.

    The page is rendered without the request (no context processors), so it needs neither the
    session nor the database: the outage handler uses it too.
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "field": field}, status=status, headers=headers)
    text = f"{field}: {message}" if field else message
    if status == 503:
        title = _("Service unavailable")
    elif status >= 500:
        title = _("Server error")
    else:
        title = _("The request could not be accepted")
    html = render_to_string(
        "respond/message.html",
        {"language": translation.get_language(), "title": title, "text": text, "kind": "info"},
    )
    return HttpResponse(html, status=status, headers=headers)
