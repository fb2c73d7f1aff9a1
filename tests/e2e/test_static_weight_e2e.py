"""Static delivery measured in a real browser against a real ``openxm serve``: collected files
have hashed names, a year's immutable cache and a compressed encoding; a dashboard's first visit
(empty cache) transfers at most 400 KB and a respondent page at most 30 KB.

Prints the measured figures. Runs the server with OPENXM_COLLECT_STATIC on (its default).
"""

from tests.e2e.browsing import sign_in
from tests.reliability.servers import Server, openxm_env, provision, publish_csat

DASHBOARD_LIMIT = 400 * 1024
RESPONDENT_LIMIT = 30 * 1024


def _transferred(browser, base_url: str, path: str, storage_state=None) -> tuple[int, list]:
    """Bytes on the wire (headers + encoded bodies) for a first visit of ``path``."""
    context = browser.new_context(base_url=base_url, storage_state=storage_state)
    page = context.new_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(path, wait_until="networkidle")
    total, rows = 0, []
    for response in responses:
        sizes = response.request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        total += size
        rows.append((response.url, response.status, response.headers.get("content-encoding", ""), size))
    context.close()
    return total, rows


def test_first_visits_are_small_and_static_files_cached_for_a_year(browser, tmp_path):
    env = openxm_env(tmp_path, OPENXM_COLLECT_STATIC="true")
    auth = provision(env)
    server = Server(env).start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        link = publish_csat(server, auth, channels=("link",))["link"]
        doc = {"name": "CX", "widgets": [{"type": "metric_card", "metric": "csat"}]}
        assert server.request("PUT", "/api/v1/insights/dashboards/cx", doc, auth).status == 200

        login = browser.new_context(base_url=base)
        page = login.new_page()
        sign_in(page, "owner@example.com", "correct-horse-battery-staple")
        state = login.storage_state()
        login.close()

        total, rows = _transferred(browser, base, "/insights/dashboards/cx/", state)
        for row in rows:
            print("dashboard", *row)
        print(f"dashboard first visit: {total} bytes transferred")
        scripts = [r for r in rows if r[0].endswith(".js")]
        assert any("echarts-5.6.0.min." in r[0] for r in scripts), "the dashboard did not load ECharts"
        for url, status, encoding, _size in scripts:
            assert status == 200 and encoding in ("gzip", "br"), (url, encoding)
        assert total <= DASHBOARD_LIMIT

        echarts = next(r[0] for r in scripts if "echarts" in r[0])
        assert echarts.split("echarts-5.6.0.min.")[1].count(".") == 1, "not a hashed name: " + echarts
        head = server.request("GET", echarts.replace(base, ""), headers={"Accept-Encoding": "br"})
        assert head.headers.get("Content-Encoding") == "br"
        assert "immutable" in head.headers["Cache-Control"]
        assert int(head.headers["Cache-Control"].split("max-age=")[1].split(",")[0]) >= 365 * 24 * 3600

        respond_path = "/" + link.split("/", 3)[3]
        total, rows = _transferred(browser, base, respond_path)
        print(f"respondent page first visit: {total} bytes transferred")
        assert rows[0][1] == 200 and total <= RESPONDENT_LIMIT
    finally:
        server.stop()
