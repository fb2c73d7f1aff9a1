"""openxm cases list|show|transition|note|metrics, and the pages: inbox views, the case page
(actions, the customer's history), opening from a response page, the metrics dashboard."""

import json

from openxm.alerts import services as alerts
from openxm.cases import config
from openxm.cases.models import Case
from openxm.cli import main

DETRACTORS = {"score": "nps", "op": "lte", "value": 6}


def test_cli_lists_shows_moves_and_measures(org_a, admin, make_member, units, respond, capsys):
    make_member(org_a, "agent", "agent@example.com")
    alerts.save_rule(admin, "d", "D", DETRACTORS, [{"case": {"priority": "high"}}])
    config.save_root_cause(admin, "rude-staff", "Rude staff")
    r = respond(2, "r", unit="sh", customer="c-1")
    who = ["--org", org_a.slug, "--user", "agent@example.com"]
    assert main(["cases", "list", "--response", str(r.pk), "--json", *who]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and rows[0]["priority"] == "high"
    case_id = rows[0]["id"]
    assert main(["cases", "transition", str(case_id), "closed", *who]) == 1
    assert "cannot go from" in capsys.readouterr().err
    assert main(["cases", "transition", str(case_id), "resolved", "--root-cause", "rude-staff", *who]) == 0
    assert capsys.readouterr().out.strip() == f"#{case_id}\tresolved"
    assert main(["cases", "note", str(case_id), "spoke to the store manager", *who]) == 0
    capsys.readouterr()
    assert main(["cases", "show", str(case_id), *who]) == 0
    out = capsys.readouterr().out
    assert "first_response: met" in out and "resolved" in out
    assert main(["cases", "metrics", "--json", *who]) == 0
    assert json.loads(capsys.readouterr().out)["top_root_causes"][0]["key"] == "rude-staff"
    assert main(["cases", "list", "--state", "bogus", *who]) == 1
    assert "state" in capsys.readouterr().err


def test_pages(org_a, admin, make_member, units, respond, signed_in):
    agent = make_member(org_a, "agent", "agent@example.com")
    alerts.save_rule(admin, "d", "D", DETRACTORS, [{"case": {}}])
    config.save_recovery_action(admin, "voucher", "Voucher", "30")
    first = respond(2, "r1", unit="sh", customer="c-1", comment="排队太久")
    respond(3, "r2", unit="sh", customer="c-1")  # the same customer again
    client = signed_in(agent)
    inbox = client.get("/cases/?view=all")
    assert inbox.status_code == 200
    case = Case.objects.for_org(org_a).get(response=first)
    assert f"/cases/{case.pk}/" in inbox.content.decode()

    page = client.get(f"/cases/{case.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="history"' in html
    assert html.count("timeline-response") >= 2  # both of the customer's responses
    other = Case.objects.for_org(org_a).exclude(pk=case.pk).get()
    assert f"/cases/{other.pk}/" in html  # the customer's other case
    Case.objects.for_org(org_a).filter(pk=case.pk).update(tier="at_risk")
    head = client.get(f"/cases/{case.pk}/").content.decode().split('class="cards')[0]
    assert "At risk" in head and "at_risk" not in head  # the tier's name, not its code

    client.post(f"/cases/{case.pk}/", {"action": "contact", "channel": "wechat", "summary": "WeChat call"})
    client.post(
        f"/cases/{case.pk}/",
        {"action": "transition", "to": "resolved", "recovery_action": "voucher", "reason": "voucher"},
    )
    case.refresh_from_db()
    assert case.state == "resolved" and str(case.recovery_cost) == "30.00"
    bad = client.post(f"/cases/{case.pk}/", {"action": "transition", "to": "new"}, follow=True)
    assert "state" in bad.content.decode()
    case.refresh_from_db()
    assert case.state == "resolved"

    bulk = client.post("/cases/bulk/", {"ids": [str(other.pk)], "to": "in_progress", "view": "all"})
    assert bulk.status_code == 302
    other.refresh_from_db()
    assert other.state == "in_progress" and other.assignee == agent

    third = respond(1, "r3", unit="sh")
    alerts.set_rule_enabled(admin, "d", False)
    fourth = respond(1, "r4", unit="sh")
    opened = client.post(f"/cases/from-response/{fourth.pk}/")
    made = Case.objects.for_org(org_a).get(response=fourth)
    assert (
        opened.status_code == 302 and opened["Location"] == f"/cases/{made.pk}/" and made.source == "response"
    )
    assert Case.objects.for_org(org_a).filter(response=third).count() == 1
    assert client.get("/cases/metrics/").status_code == 200
    assert "open-case" in client.get(f"/responses/{fourth.pk}/").content.decode()


def test_a_viewer_cannot_open_the_inbox(org_a, make_member, signed_in):
    viewer = make_member(org_a, "viewer", "v@example.com")
    assert signed_in(viewer).get("/cases/").status_code == 403
