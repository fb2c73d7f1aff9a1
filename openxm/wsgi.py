"""WSGI entry point. Refuses to start with a missing or placeholder secret key (outside debug)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openxm.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from openxm.web.checks import secret_key_problem  # noqa: E402

if problem := secret_key_problem():
    raise SystemExit(problem)
