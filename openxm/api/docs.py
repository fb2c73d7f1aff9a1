"""The API reference page at /api/v1/docs: Swagger UI from openxm's own static files (vendored
from the npm registry, version in the file name), so it works offline and runs under the same
Content-Security-Policy as every page (no CDN, no inline script)."""

from django.shortcuts import render
from ninja.openapi.docs import DocsBase


class OfflineSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        return render(
            request, "api/docs.html", {"openapi_url": self.get_openapi_url(api, kwargs), "api": api}
        )
