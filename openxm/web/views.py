"""Shell and settings pages. Each view checks its input and calls one accounts service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openxm.accounts import services
from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.roles import Perm
from openxm.utils.csvsafe import write_csv

from .forms import ApiKeyForm, MemberForm, RoleForm, ThrottledAuthenticationForm, UnitForm
from .middleware import SESSION_ORG_KEY


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def member_required(perm: Perm):
    """Signed in, a member of the current organization, and allowed ``perm``."""

    def decorator(view):
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.actor is None:
                return render(request, "web/no_organization.html", status=403)
            if not request.actor.can(perm):
                return render(request, "web/forbidden.html", {"perm": perm.value}, status=403)
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return HttpResponseForbidden(str(exc))
            except NotFound as exc:
                raise Http404(str(exc)) from exc

        wrapped.__name__ = view.__name__
        wrapped.required_perm = perm  # read by the access sweep (tests/accounts/test_access_sweep.py)
        return wrapped

    return decorator


def _csv_response(filename: str, header, rows) -> HttpResponse:
    response = HttpResponse(write_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The home page belongs to the app that shows customers' figures (insights registers it in its
# AppConfig.ready): the shell sits below the apps in the layers and cannot import them.
_home_view = None


def set_home_view(view) -> None:
    global _home_view
    _home_view = view


def home(request):
    return _home_view(request)


@login_required
@require_POST
def switch_organization(request):
    slug = request.POST.get("organization", "")
    if not any(m.organization.slug == slug for m in request.memberships):
        raise Http404("organization not found")
    request.session[SESSION_ORG_KEY] = slug
    return redirect(_safe_next(request, "web:home"))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    from django.urls import reverse

    return reverse(default)


@require_POST
def set_language(request):
    """Switch the UI language; a signed-in user keeps it across devices."""
    lang = request.POST.get("language", "")
    if lang not in dict(settings.LANGUAGES):
        return HttpResponse(_("Unknown language."), status=400)
    if request.user.is_authenticated:
        request.user.language = lang
        request.user.save(update_fields=["language"])
    translation.activate(lang)
    response = redirect(_safe_next(request, "web:home"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password was changed."))
        return response

    def get_success_url(self):
        from django.urls import reverse

        return reverse("web:home")


# --- Settings: members --------------------------------------------------------------------


def _unit_choices(actor) -> dict:
    """What the unit choice of a member or key form offers this actor."""
    return {"units": services.list_units(actor), "whole": not actor.scope.limited}


@member_required(Perm.DASHBOARDS_VIEW)
def members(request):
    actor = request.actor
    form = MemberForm(request.POST or None, **_unit_choices(actor))
    if request.method == "POST":
        actor.require(Perm.MEMBERS_MANAGE)
        if form.is_valid():
            try:
                services.add_member(
                    actor,
                    form.cleaned_data["email"],
                    form.cleaned_data["role"],
                    name=form.cleaned_data["name"],
                    unit=form.cleaned_data["unit"],
                )
                messages.success(request, _("Member added."))
                return redirect("web:members")
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request,
        "web/members.html",
        {
            "members": services.list_members(actor),
            "form": form,
            "role_form": RoleForm(**_unit_choices(actor)),
            "can_manage": actor.can(Perm.MEMBERS_MANAGE),
        },
    )


@member_required(Perm.MEMBERS_MANAGE)
@require_POST
def member_role(request, membership_id: int):
    form = RoleForm(request.POST, **_unit_choices(request.actor))
    if not form.is_valid():
        messages.error(request, " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    else:
        try:
            services.change_role(
                request.actor, membership_id, form.cleaned_data["role"], unit=form.cleaned_data["unit"]
            )
            messages.success(request, _("Role changed."))
        except InvalidInput as exc:
            messages.error(request, f"{exc.field}: {exc.message}")
    return redirect("web:members")


@member_required(Perm.MEMBERS_MANAGE)
@require_POST
def member_remove(request, membership_id: int):
    try:
        services.remove_member(request.actor, membership_id)
        messages.success(request, _("Member removed."))
    except InvalidInput as exc:
        messages.error(request, f"{exc.field}: {exc.message}")
    return redirect("web:members")


# --- Settings: API keys -------------------------------------------------------------------


@member_required(Perm.APIKEYS_MANAGE)
def api_keys(request):
    actor = request.actor
    form = ApiKeyForm(request.POST or None, **_unit_choices(actor))
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            new_key = services.create_api_key(actor, data["name"], data["role"], unit=data["unit"])
            form = ApiKeyForm(**_unit_choices(actor))
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request,
        "web/api_keys.html",
        {
            "keys": services.list_api_keys(actor),
            "form": form,
            "new_key": new_key,
        },
    )


@member_required(Perm.APIKEYS_MANAGE)
@require_POST
def api_key_revoke(request, key_id: int):
    services.revoke_api_key(request.actor, key_id)
    messages.success(request, _("API key revoked."))
    return redirect("web:api_keys")


# --- Settings: units ----------------------------------------------------------------------


@member_required(Perm.DASHBOARDS_VIEW)
def units(request):
    actor = request.actor
    form = UnitForm(request.POST or None)
    if request.method == "POST":
        actor.require(Perm.UNITS_MANAGE)
        if form.is_valid():
            try:
                services.create_unit(actor, **form.cleaned_data)
                messages.success(request, _("Unit created."))
                return redirect("web:units")
            except InvalidInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request,
        "web/units.html",
        {
            "units": services.list_units(actor),
            "form": form,
            "can_manage": actor.can(Perm.UNITS_MANAGE),
            "can_export": actor.can(Perm.DATA_EXPORT),
        },
    )


@member_required(Perm.DATA_EXPORT)
def units_export(request):
    header, rows = services.export_units(request.actor)
    return _csv_response(f"units-{request.organization.slug}.csv", header, rows)


# --- Settings: audit log ------------------------------------------------------------------


@member_required(Perm.AUDIT_VIEW)
def audit_log(request):
    action = request.GET.get("action", "")
    return render(
        request,
        "web/audit.html",
        {
            "events": services.list_audit(request.actor, limit=500, action=action),
            "action": action,
            "can_export": request.actor.can(Perm.DATA_EXPORT),
        },
    )


@member_required(Perm.AUDIT_VIEW)
def audit_export(request):
    header, rows = services.export_audit(request.actor)
    return _csv_response(f"audit-{request.organization.slug}.csv", header, rows)


def health(request):
    """Liveness for load balancers: answers without touching the session or the database."""
    return HttpResponse("ok", content_type="text/plain")


def ready(request):
    """Readiness for load balancers: 200 when the database answers, migrations are applied and
    the broker (if configured) is reachable, else 503 with Retry-After. The body names each
    check and its status, not the error text (which may name hosts)."""
    from .health import readiness
    from .outage import RETRY_AFTER_SECONDS

    checks = readiness()
    ok = all(c.status == "ok" for c in checks)
    return JsonResponse(
        {"ready": ok, "checks": {c.name: c.status for c in checks}},
        status=200 if ok else 503,
        headers=None if ok else {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
