"""The cases API: GET /api/v1/cases?response=ID shows the one case a rule opened, transitions
(allowed and refused, with the ErrorOut shape), notes, contacts, bulk, metrics, unit scope."""

from openxm.accounts import services as accounts
from openxm.alerts import services as alerts
from openxm.cases import config

DETRACTORS = {"score": "nps", "op": "lte", "value": 6}


def test_a_rule_case_is_visible_by_response_and_worked_through_the_api(
    org_a, admin, units, respond, make_key, api
):
    alerts.save_rule(admin, "detractors", "Detractors", DETRACTORS, [{"case": {"priority": "high"}}])
    config.save_root_cause(admin, "slow-delivery", "Slow delivery")
    config.save_recovery_action(admin, "voucher", "Voucher", "50")
    r = respond(2, "r-1", unit="sh-jingan", comment="送货太慢", customer="c-1")
    respond(2, "r-1", unit="sh-jingan", comment="送货太慢", customer="c-1")  # retried submission
    caller = api(make_key(org_a, "agent"))

    listed = caller.get(f"/cases?response={r.pk}")
    assert listed.status_code == 200, listed.content
    assert len(listed.json()) == 1
    case = listed.json()[0]
    assert (case["state"], case["priority"], case["unit"], case["rule"]) == (
        "new",
        "high",
        "sh-jingan",
        "detractors",
    )
    case_id = case["id"]
    assert caller.get(f"/cases?response={r.pk}&state=resolved").json() == []

    refused = caller.post(f"/cases/{case_id}/transitions", {"to": "closed"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "state" and "cannot go from" in refused.json()["detail"]

    contact = caller.post(
        f"/cases/{case_id}/contacts", {"channel": "call", "summary": "Apologised, offered a voucher"}
    )
    assert contact.status_code == 201
    note = caller.post(f"/cases/{case_id}/notes", {"text": "Courier was late twice this week"})
    assert note.status_code == 201
    done = caller.post(
        f"/cases/{case_id}/transitions",
        {
            "to": "resolved",
            "root_cause": "slow-delivery",
            "recovery_action": "voucher",
            "reason": "voucher sent",
        },
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "resolved" and body["root_cause"] == "slow-delivery"
    assert body["recovery_action"] == "voucher" and float(body["recovery_cost"]) == 50.0
    assert body["first_response_at"] is not None
    assert [e["kind"] for e in body["events"]] == ["opened", "contact", "state"]
    assert body["events"][-1]["from_state"] == "new" and body["events"][-1]["to_state"] == "resolved"
    assert {c["name"] for c in body["clocks"]} == {"first_response", "resolution"}
    assert sorted(body["allowed"]) == ["closed", "reopened"]
    assert body["notes"][0]["text"] == "Courier was late twice this week"

    bad = caller.post(f"/cases/{case_id}/transitions", {"to": "reopened", "cost": "-1"})
    assert bad.status_code == 422 and bad.json()["field"] == "cost"

    metrics = caller.get("/cases/metrics")
    assert metrics.status_code == 200
    assert metrics.json()["cases"] == 1 and metrics.json()["top_root_causes"][0]["key"] == "slow-delivery"


def test_open_by_api_is_idempotent_per_response_and_scope_is_enforced(
    org_a, admin, units, respond, make_key, api
):
    r = respond(3, "x", unit="bj")
    caller = api(make_key(org_a, "agent"))
    first = caller.post("/cases", {"response_id": r.pk})
    again = caller.post("/cases", {"response_id": r.pk})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["source"] == "api"

    key = accounts.create_api_key(admin, "store", "agent", unit="sh").plaintext
    store = api(key)
    assert store.get("/cases").json() == []
    assert store.get(f"/cases/{first.json()['id']}").status_code == 404
    assert store.post("/cases", {"response_id": r.pk}).status_code == 404

    viewer = api(make_key(org_a, "viewer"))
    denied = viewer.get("/cases")
    assert denied.status_code == 403 and denied.json()["permission"] == "cases.work"
    assert viewer.get("/cases/metrics").status_code == 200

    missing = caller.post("/cases", {"title": ""})
    assert missing.status_code == 422 and missing.json()["field"] == "title"


def test_bulk_changes_each_case_and_reports_refusals(org_a, admin, units, respond, make_key, api):
    alerts.save_rule(admin, "d", "D", DETRACTORS, [{"case": {}}])
    respond(1, "a")
    respond(1, "b")
    caller = api(make_key(org_a, "agent"))
    ids = [c["id"] for c in caller.get("/cases").json()]
    caller.post(f"/cases/{ids[0]}/transitions", {"to": "resolved"})
    out = caller.post("/cases/bulk", {"ids": ids, "to": "in_progress"})
    assert out.status_code == 200
    assert out.json()["done"] == [ids[1]] and list(out.json()["refused"]) == [str(ids[0])]


def test_configuration_through_the_api(org_a, make_member, units, make_key, api):
    make_member(org_a, "agent", "a@example.com")
    admin = api(make_key(org_a, "admin"))
    week = [[["09:00", "12:00"], ["13:00", "18:00"]]] * 5 + [[], []]
    ok = admin.put("/cases/calendars/sh-office", {"name": "Shanghai", "week": week, "country": "CN"})
    assert ok.status_code == 200, ok.content
    bad = admin.put("/cases/calendars/x", {"name": "X", "tz": "Mars/Olympus", "week": week})
    assert bad.status_code == 422 and bad.json()["field"] == "tz"
    overlap = admin.put(
        "/cases/calendars/y", {"name": "Y", "week": [[["09:00", "13:00"], ["12:00", "18:00"]]] + [[]] * 6}
    )
    assert overlap.status_code == 422 and overlap.json()["field"] == "week"
    assert (
        admin.put("/cases/units/sh", {"calendar": "sh-office", "owner": "a@example.com"}).status_code == 200
    )
    assert admin.put("/cases/teams/care", {"name": "Care", "members": ["a@example.com"]}).status_code == 200
    assert admin.put("/cases/root-causes/late", {"name": "Late delivery"}).status_code == 200
    assert (
        admin.put("/cases/recovery-actions/voucher", {"name": "Voucher", "default_cost": "50"}).status_code
        == 200
    )
    out = admin.put("/cases/settings", {"risk_hours": 1, "targets": {"high": {"resolution_hours": 0}}})
    assert out.status_code == 422 and out.json()["field"] == "targets.high.resolution_hours"
    assert (
        admin.put("/cases/settings", {"control_share": 0.05, "paused_states": ["waiting"]}).status_code == 200
    )
    agent = api(make_key(org_a, "agent"))
    assert agent.put("/cases/root-causes/x", {"name": "X"}).status_code == 403
