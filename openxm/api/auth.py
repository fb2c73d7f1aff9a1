"""API authentication: API keys, or a browser session of a member (with CSRF on writes)."""

from django.middleware.csrf import CsrfViewMiddleware
from ninja.security import APIKeyHeader, HttpBearer

from openxm.accounts import services
from openxm.accounts.errors import NotFound


class ApiKeyAuth(HttpBearer):
    openapi_scheme = "bearer"

    def __call__(self, request):
        raw = request.headers.get("X-API-Key")
        if raw:
            return self.authenticate(request, raw)
        return super().__call__(request)

    def authenticate(self, request, token):
        actor = services.authenticate_api_key(token, ip_address=request.META.get("REMOTE_ADDR"))
        if actor is not None:
            request.actor = actor
        return actor


class SessionMemberAuth(APIKeyHeader):
    """A signed-in member; the organization is the session's or the ``X-OpenXM-Org`` header's."""

    param_name = "X-OpenXM-Org"
    openapi_type = "apiKey"

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if reason is not None:
                return None
        slug = request.headers.get(self.param_name)
        if not slug:
            return getattr(request, "actor", None)
        try:
            org = services.get_organization(slug)
        except NotFound:
            return None
        if services.membership_in(user, org) is None:
            return None
        request.actor = services.actor_for_user(
            user, org, via="api", ip_address=request.META.get("REMOTE_ADDR")
        )
        return request.actor

    def authenticate(self, request, key):  # required by the base class; __call__ decides
        return None
