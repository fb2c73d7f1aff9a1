from django.urls import include, path

from openxm.api import api
from openxm.metrics import metrics_view

urlpatterns = [
    path("metrics", metrics_view, name="metrics"),  # Prometheus, with OPENXM_METRICS_TOKEN
    path("api/v1/", api.urls),
    path("surveys/", include("openxm.surveys.urls")),
    path("journeys/", include("openxm.journeys.urls")),
    path("insights/", include("openxm.insights.urls")),
    path("responses/", include("openxm.responses.urls")),
    path("analysis/", include("openxm.analysis.urls")),
    path("comments/", include("openxm.comments.urls")),
    path("alerts/", include("openxm.alerts.urls")),
    path("employees/", include("openxm.employees.urls")),
    path("cases/", include("openxm.cases.urls")),
    path("contacts/", include("openxm.profiles.urls")),
    path("privacy/", include("openxm.privacy.urls")),
    path("plans/", include("openxm.plans.urls")),
    # distribution serves respondent pages at /r/... and its settings pages under /distribution/
    path("", include("openxm.distribution.urls")),
    path("", include("openxm.web.urls")),
]

# 503 with Retry-After while the database or broker is down, JSON under /api/ (openxm.web.errors).
handler500 = "openxm.web.errors.server_error"
handler404 = "openxm.web.errors.not_found"
