from django.urls import include, path

from openxm.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("openxm.web.urls")),
]
