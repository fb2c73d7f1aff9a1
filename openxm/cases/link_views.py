"""The page a messenger's Claim or Close link opens: GET shows the case and one button, POST
acts (``links.use``). Signing in is required (see ``links.py`` for why); a link that is
tampered with, expired, used, issued to someone else or for a case out of reach gets a page
saying so in the member's language, with status 400, 410, 409, 403 or 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import links

PROBLEMS = {
    "tampered": (400, gettext_lazy("This link is not valid: it was changed or cut short.")),
    "expired": (410, gettext_lazy("This link has expired. Open the case in openxm instead.")),
    "used": (409, gettext_lazy("This link has already been used: each link works once.")),
    "not_yours": (403, gettext_lazy("This link was issued to someone else.")),
    "no_access": (403, gettext_lazy("You can no longer work this case.")),
    "refused": (409, gettext_lazy("This can no longer be done to the case.")),
}


def _problem(request, exc: links.LinkError):
    status, text = PROBLEMS[exc.code]
    return render(
        request,
        "cases/link.html",
        {"problem": str(text), "detail": exc.detail, "code": exc.code},
        status=status,
    )


@login_required
def link_page(request, token: str):
    actor = request.actor
    if actor is None:
        return render(request, "web/no_organization.html", status=403)
    try:
        if request.method == "POST":
            case = links.use(actor, token)
            done = _("Case claimed.") if links.read(token).action == "claim" else _("Case resolved.")
            messages.success(request, done)
            return redirect("cases:case", case_id=case.pk)
        link, case = links.check(actor, token)
    except links.LinkError as exc:
        return _problem(request, exc)
    return render(request, "cases/link.html", {"link": link, "c": case})
