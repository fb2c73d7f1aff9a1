"""The alert routes: apply (422 names the problems), rules, back-test, webhooks, test, inbox."""

import json

from openxm.alerts.models import Rule

DOC = """
webhooks:
  - {key: hook, url: "%s", secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}
rules:
  - {key: low, name: Low, when: {score: nps, op: lte, value: 6}, actions: [{webhook: hook}]}
"""


def test_apply_rules_backtest_and_test_through_the_api(org_a, nps_survey, make_key, api, receiver):
    hook = receiver()
    caller = api(make_key(org_a, "admin"))
    bad = caller.post("/alerts/apply", {"document": "rules:\n  - {key: x, name: X, when: {score: nps}}\n"})
    assert bad.status_code == 422
    problem = bad.json()["problems"][0]  # (the missing actions are the second)
    assert (problem["where"], problem["path"]) == ("rule x", "rules[0].when")
    assert problem["problem"].startswith("op is one of answered, between")
    dry = caller.post("/alerts/apply", {"document": DOC % hook.url, "dry_run": True}).json()
    assert dry == {
        "dry_run": True,
        "changes": [
            {"action": "create", "kind": "webhook", "key": "hook"},
            {"action": "create", "kind": "rule", "key": "low"},
        ],
    }
    assert caller.post("/alerts/apply", {"document": DOC % hook.url}).status_code == 200
    rule = Rule.objects.for_org(org_a).get()
    assert rule.owner_key is not None and rule.owned  # owned by the key that applied it

    assert [r["key"] for r in caller.get("/alerts/rules").json()] == ["low"]
    put = caller.put(
        "/alerts/rules/promoters",
        {
            "name": "Promoters",
            "when": {"score": "nps", "op": "gte", "value": 9},
            "actions": [{"webhook": "hook"}],
            "limit_per_hour": 5,
            "urgent": True,
        },
    )
    assert put.status_code == 200 and put.json()["when"]["op"] == "gte"
    assert (put.json()["limit_per_hour"], put.json()["urgent"]) == (5, True)
    too_many = caller.put(
        "/alerts/rules/promoters",
        {"name": "P", "when": {"score": "nps"}, "actions": [], "limit_per_hour": 0},
    )
    assert any(p["path"] == "rules[0].limit_per_hour" for p in too_many.json()["problems"])
    assert caller.put("/alerts/rules/x", {"name": "", "when": {}, "actions": []}).status_code == 422

    back = caller.get("/alerts/rules/low/backtest").json()
    assert back == {"days": 30, "count": 0, "examined": 0, "hits": []}
    assert caller.post("/alerts/backtest", {"when": {"score": "nps", "op": "lte"}}).status_code == 422

    sent = caller.post("/alerts/webhooks/hook/test")
    assert sent.status_code == 200 and sent.json()["ok"] and sent.json()["event_type"] == "alert.test"
    assert json.loads(hook.requests[0]["body"])["type"] == "alert.test"
    log = caller.get("/alerts/webhooks/hook/deliveries").json()
    assert log[0]["status_code"] == 200
    hooks = caller.get("/alerts/webhooks").json()
    assert hooks[0]["key"] == "hook" and "secret" not in hooks[0]
    exported = caller.get("/alerts/export", data={"format": "json"}).json()["document"]
    assert json.loads(exported)["rules"][0]["key"] == "low" and "whsec" not in exported
    assert caller.get("/alerts/rules/missing").status_code == 404
    assert caller.get("/alerts/inbox").json() == []  # a key has no inbox


def test_roles(org_a, make_key, api):
    viewer = api(make_key(org_a, "viewer"))
    assert viewer.get("/alerts/rules").status_code == 403
    assert viewer.get("/alerts/inbox").status_code == 200
    assert api(make_key(org_a, "analyst")).get("/alerts/rules").status_code == 200


def test_a_chat_bots_url_is_not_shown(org_a, make_key, api):
    caller = api(make_key(org_a, "admin"))
    doc = "webhooks:\n  - {key: bot, format: wecom, url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRETKEY'}\n"
    assert caller.post("/alerts/apply", {"document": doc}).status_code == 200
    [hook] = caller.get("/alerts/webhooks").json()
    assert hook["url"] == "https://qyapi.weixin.qq.com/…"


def test_the_callers_notification_settings(org_a, make_member, make_key, api, signed_in):
    """A signed-in member reads and replaces their own settings (the service the page uses); a
    bad value is a 422 naming the field and saves nothing; an API key has no settings."""
    from openxm.accounts import services as accounts
    from openxm.alerts import notifying
    from openxm.alerts.models import NotificationSettings

    user = make_member(org_a, "viewer")
    client = signed_in(user)
    headers = {"X-OpenXM-Org": org_a.slug}
    fresh = client.get("/api/v1/alerts/settings", headers=headers)
    assert fresh.status_code == 200
    assert fresh.json() == {
        "alert_email": True,
        "digest": "none",
        "quiet_start": "",
        "quiet_end": "",
        "time_zone": "",
    }
    wanted = {
        "alert_email": False,
        "digest": "weekly",
        "quiet_start": "22:00",
        "quiet_end": "07:30",
        "time_zone": "Asia/Shanghai",
    }
    put = client.put("/api/v1/alerts/settings", wanted, content_type="application/json", headers=headers)
    assert put.status_code == 200 and put.json() == wanted
    assert client.get("/api/v1/alerts/settings", headers=headers).json() == wanted
    row = NotificationSettings.objects.for_org(org_a).get(user=user)
    assert (row.digest, str(row.quiet_end), row.alert_email) == ("weekly", "07:30:00", False)

    for body, field in (
        ({"digest": "hourly"}, "digest"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start"),
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ):
        bad = client.put("/api/v1/alerts/settings", body, content_type="application/json", headers=headers)
        assert (bad.status_code, bad.json()["field"]) == (422, field)
    assert notifying.get_settings(accounts.actor_for_user(user, org_a, via="web")).digest == "weekly"

    keyed = api(make_key(org_a, "viewer")).get("/alerts/settings")
    assert (keyed.status_code, keyed.json()["field"]) == (422, "user")
