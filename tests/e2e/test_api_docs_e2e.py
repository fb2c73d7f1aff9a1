"""/api/v1/docs works offline under the normal Content-Security-Policy: the vendored Swagger UI
draws every operation of the document, nothing is fetched from another origin, no CSP violation.

Swagger UI 5.36 virtualises the operation list once it has 150 rows (tags plus operations): only
the rows near the viewport are in the DOM. So the test scrolls the page from top to bottom and
collects every operation that was drawn on the way, instead of counting what is drawn at once.
"""

from urllib.parse import urlparse

from openxm.api import api


def _operation_ids() -> set[str]:
    doc = api.get_openapi_schema()
    return {op["operationId"] for item in doc["paths"].values() for op in item.values()}


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
    assert page.get_by_text("X-API-Key").count() or page.locator(".authorize").count()

    expected = _operation_ids()
    seen: set[str] = set()
    # Each step scrolls by most of a viewport, so every row is inside it at some point; the page
    # grows as rows are measured, so stop when nothing new has appeared for a few steps at the end.
    quiet = 0
    for _ in range(400):
        before = len(seen)
        for block in page.locator(".opblock").all():
            seen.add(block.get_attribute("id") or "")
        quiet = quiet + 1 if len(seen) == before else 0
        if quiet >= 6:
            break
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(100)
    drawn = {i for i in seen if i}
    # Swagger UI's element id is "operations-<tag>-<operationId>".
    missing = {op for op in expected if not any(i.endswith(f"-{op}") for i in drawn)}
    assert not missing, sorted(missing)[:10]
    own = urlparse(live_server.url).netloc
    assert [u for u in requests if urlparse(u).netloc not in (own, "")] == []
    assert errors == []
