"""What a visitor gets when no route matches (404, JSON under /api/) or the server fails: 503
with Retry-After while a dependency is down, else a plain 500; JSON under /api/, a small
translated page for people, never a stack trace.

Django calls ``server_error`` (``handler500`` in openxm.urls) for any exception a view or
middleware did not handle, while that exception is still being handled, so ``sys.exc_info()``
tells a database or broker outage apart from a bug (openxm.web.outage). The page is rendered
without the request (no session, no database). With ``OPENXM_DEBUG`` Django's debug page is
shown instead.
"""

import logging
import sys

from django.utils.translation import gettext as _
from django.views import defaults

from .middleware import refusal
from .outage import RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger("openxm.outage")


def server_error(request, *args, **kwargs):
    exc = sys.exc_info()[1]
    if is_outage(exc):
        logger.warning("503 for %s: %s: %s", request.path, type(exc).__name__, str(exc).strip()[:200])
        return refusal(
            request,
            503,
            _("The service is briefly unavailable. Please try again in a moment."),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return refusal(request, 500, _("Something went wrong on our side. It has been logged."))


def not_found(request, exception=None):
    """No route matched: JSON under /api/ (an API client never parses HTML), Django's page else."""
    if request.path.startswith("/api/"):
        return refusal(request, 404, _("No API operation at this path."), "path")
    return defaults.page_not_found(request, exception)
