"""The alert pages: inbox with the unread count in the shell, rules with a back-test before
saving, one rule, webhooks with "send test" and the delivery log."""

import re

from openxm.alerts import services
from openxm.alerts.models import Rule
from openxm.surveys import collect


def test_rule_page_backtest_save_and_inbox_badge(
    org_a, admin, nps_survey, signed_in, django_capture_on_commit_callbacks
):
    for i, score in enumerate((2, 9, 4)):
        collect.record_response(
            org_a, nps_survey, collect.Submission(answers={"nps": score}, idempotency_key=f"k{i}")
        )
    client = signed_in(admin.user)
    page = client.post(
        "/alerts/rules/",
        {
            "key": "low",
            "name": "Low",
            "when": '{"score": "nps", "op": "lte", "value": 6}',
            "days": "30",
            "notify": admin.user.email,
            "action": "backtest",
        },
    )
    assert page.status_code == 200
    assert "would have fired 2 times in the last 30 days (3 responses examined)" in page.content.decode()
    assert not Rule.objects.for_org(org_a).exists()  # a back-test saves nothing

    bad = client.post("/alerts/rules/", {"key": "low", "name": "Low", "when": "{nope", "action": "save"})
    assert "is not valid JSON" in bad.content.decode()
    bad = client.post(
        "/alerts/rules/", {"key": "low", "name": "Low", "when": '{"score": "nps"}', "action": "save"}
    )
    assert "rules[0].when" in bad.content.decode()

    saved = client.post(
        "/alerts/rules/",
        {
            "key": "low",
            "name": "Low",
            "when": '{"score": "nps", "op": "lte", "value": 6}',
            "notify": admin.user.email,
            "action": "save",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == "/alerts/rules/low/"
    detail = client.get("/alerts/rules/low/?backtest=1").content.decode()
    assert "would have fired 2 times" in detail

    with django_capture_on_commit_callbacks(execute=True):
        collect.record_response(
            org_a, nps_survey, collect.Submission(answers={"nps": 0}, idempotency_key="new")
        )
    home = client.get("/alerts/").content.decode()
    assert re.search(r'data-badge="alerts-inbox"[^>]*>1<', home)  # unread count in the shell
    assert "Low" in home and "NPS 0" in home
    client.post("/alerts/")
    assert 'data-badge="alerts-inbox"' not in client.get("/alerts/").content.decode()

    zh = client.get("/alerts/rules/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "告警规则" in zh.content.decode()


def test_webhook_pages_send_test_and_log(org_a, admin, signed_in, receiver):
    hook = receiver([500])
    client = signed_in(admin.user)
    bad = client.post("/alerts/webhooks/", {"key": "w", "format": "standard", "url": hook.url, "secret": "x"})
    assert "whsec_" in bad.content.decode()
    ok = client.post(
        "/alerts/webhooks/",
        {
            "key": "w",
            "format": "standard",
            "url": hook.url,
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        },
    )
    assert ok.status_code == 302
    first = client.post("/alerts/webhooks/w/test/", follow=True).content.decode()
    assert "Test message failed: 500" in first
    second = client.post("/alerts/webhooks/w/test/", follow=True).content.decode()
    assert "Test message delivered (HTTP 200)" in second
    assert second.count("alert.test") == 2  # both tries in the delivery log
    assert len(hook.requests) == 2
    assert services.list_webhooks(admin)[0].enabled


def test_pages_need_alerts_manage(org_a, make_member, signed_in):
    viewer = signed_in(make_member(org_a, "viewer"))
    assert viewer.get("/alerts/rules/").status_code == 403
    assert viewer.get("/alerts/webhooks/").status_code == 403
    assert viewer.get("/alerts/").status_code == 200
