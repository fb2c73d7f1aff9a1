"""The first hour of a CX team (issue 18), in Chinese and in English, on a desktop and a phone.

Sign in, name a survey from a template, publish, open the share panel, follow the public link on
the server's own address, answer it on a phone with a low NPS and a Chinese complaint, then find
the response in the response browser, on a dashboard and in text analytics, and download a CSV
export whose times carry their offset and whose comment has its sentiment beside it. Screenshots
of every step go to test-artifacts/first-hour/<language>-<viewport>-<n>-<step>.png.
"""

import csv
import io
import re

import pytest

from openxm.accounts import services as accounts
from openxm.insights import dashboards
from openxm.utils import public_address
from tests.conftest import PASSWORD

DESKTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
COMPLAINT = "配送太慢了，等了两个小时，客服也不回复。"
WORDS = {
    "zh-hans": {"locale": "zh-CN", "next": "下一页", "name": "门店体验 2026 第一季度", "thanks": "谢谢您"},
    "en": {"locale": "en-US", "next": "Next", "name": "Store experience Q1 2026", "thanks": "Thank you"},
}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_first_hour(
    transactional_db, browser, live_server, artifacts, settings, monkeypatch, language, viewport
):
    words = WORDS[language]
    settings.OPENXM_PUBLIC_URL = ""
    monkeypatch.delenv("OPENXM_PUBLIC_URL", raising=False)
    # what openxm serve/demo do with --host/--port before serving
    monkeypatch.setattr(public_address, "_server_url", "")
    public_address.server_started_on(live_server.thread.host, live_server.thread.port)
    org = accounts.bootstrap_organization("fresh", "FreshNeighbor 鲜邻生活")
    org.time_zone = "Asia/Shanghai"
    org.save()
    accounts.bootstrap_user("cx@fresh.example", PASSWORD, name="陈静")
    admin = accounts.add_member(accounts.operator_actor(org), "cx@fresh.example", "admin")
    assert admin is not None
    dashboards.save_dashboard(
        accounts.operator_actor(org),
        {
            "key": "cx",
            "name": "CX",
            "filters": {"period": "30d", "grain": "d"},
            "widgets": [
                {"type": "metric_card", "metric": "nps", "width": "half"},
                {"type": "verbatim_list", "limit": 10, "width": "full"},
            ],
        },
    )
    shots = artifacts / "first-hour"
    shots.mkdir(exist_ok=True)
    step = iter(range(1, 100))

    def shot(page, name):
        page.screenshot(
            path=str(shots / f"{language}-{viewport}-{next(step):02d}-{name}.png"), full_page=True
        )

    context = browser.new_context(
        base_url=live_server.url, locale=words["locale"], **(DESKTOP if viewport == "desktop" else PHONE)
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("cx@fresh.example")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form:not(.lang-switch) button[type=submit]").click()
    with page.expect_navigation():
        page.locator(f"button[name=language][value={language}]").click()
    assert page.locator("html").get_attribute("lang") == language

    # 1. a survey from a template, with a name
    page.goto("/surveys/templates/")
    shot(page, "templates")
    card = page.locator("section.card", has=page.locator("input[name=template][value=relationship-nps]"))
    card.locator("input[name=title]").fill(words["name"])
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert page.locator("h1").inner_text() == words["name"]

    # 2. publish: the page goes on to its share panel
    with page.expect_navigation():
        page.locator("form[action$='/publish/'] button").click()
    assert page.url.endswith("#share")
    with page.expect_navigation():
        page.locator("form[action*='/distribution/share/'] button").click()
    link = page.locator("#share-link").input_value()
    shot(page, "share-panel")
    assert link.startswith(f"{live_server.url}/r/l/"), link  # the server's own address and port
    assert page.locator("#share img[src*='qr.svg']").is_visible()
    assert "?embed=1" in page.locator("#share-embed").input_value()

    # 3. a customer answers on a phone, through the link as shared
    phone = browser.new_context(locale=words["locale"], **PHONE)
    respondent = phone.new_page()
    respondent.set_default_timeout(20_000)
    weight = {}
    respondent.on("response", lambda r: weight.__setitem__(r.url, len(r.body()) if r.ok else 0))
    respondent.goto(link)
    assert respondent.locator("button.r-next").inner_text() == words["next"]
    tops = {
        round(respondent.locator(f"label.r-pt:has(input[name=q_nps][value='{v}'])").bounding_box()["y"])
        for v in range(11)
    }
    assert len(tops) == 1, "the 0-10 scale wraps on a 390 px phone"
    assert sum(weight.values()) <= 30_000, weight  # the page and its stylesheet
    respondent.locator("label.r-pt:has(input[name=q_nps][value='2'])").click()
    shot(respondent, "respond-score")
    with respondent.expect_navigation():
        respondent.locator("button.r-next").click()
    respondent.locator("textarea[name=q_reason_detractor]").fill(COMPLAINT)
    other_text = respondent.locator("input.r-other")
    assert not other_text.is_visible()  # only once "Other" is chosen
    respondent.locator("input[name=q_drivers][value=other]").check()
    assert other_text.is_visible()
    respondent.locator("input[name=q_drivers][value=other]").uncheck()
    respondent.locator("input[name=q_drivers][value=delivery]").check()
    shot(respondent, "respond-reason")
    while respondent.locator("button.r-next").count():
        with respondent.expect_navigation():
            respondent.locator("button.r-next").click()
    assert words["thanks"] in respondent.content()
    shot(respondent, "respond-done")
    phone.close()

    # 4. the response in the browser, on the survey page, on the dashboard, in text analytics
    page.goto("/surveys/")
    with page.expect_navigation():
        page.get_by_role("link", name=words["name"]).click()
    assert COMPLAINT in page.content()  # the newest responses on the survey page
    shot(page, "survey-page")
    with page.expect_navigation():
        page.locator("a[href^='/responses/?survey=']").first.click()
    assert COMPLAINT in page.content()
    filtered = page.url
    shot(page, "response-browser")
    page.goto("/insights/dashboards/cx/")
    shot(page, "dashboard")
    page.get_by_text(COMPLAINT).first.wait_for()  # the verbatims widget
    assert "n = 1" in page.locator("main").inner_text()  # counted (and held back below n = 5)
    page.goto("/comments/")  # the text analytics page; its verbatims load into it
    page.get_by_text(COMPLAINT).first.wait_for()
    shot(page, "text-analytics")

    # 5. an export whose times carry their offset
    page.goto(filtered)
    page.locator("#export-format").select_option("csv")
    with page.expect_navigation():
        page.locator("form[action='/responses/exports/'] button[type=submit]").click()
    # The export is written in the background and its row polls every second: on a loaded machine
    # that can take longer than a click's default wait.
    link = page.locator("a[href*='/download/']").first
    link.wait_for(state="visible", timeout=90_000)
    shot(page, "exports")
    with page.expect_download() as download:
        link.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1 and rows[0]["reason_detractor"] == COMPLAINT
    # the comment's text analytics next to it
    assert rows[0]["reason_detractor_sentiment"] == "negative"
    assert float(rows[0]["reason_detractor_score"]) < 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", rows[0]["completed_at"]), rows[0][
        "completed_at"
    ]
    context.close()

