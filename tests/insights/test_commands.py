"""openxm rollups / insights commands, and the demo's journeys, O-data and role dashboards."""

import pytest

from openxm.cli import main
from openxm.insights.models import AnswerCount, MetricCube

pytestmark = pytest.mark.django_db


def test_rollups_rebuild_verify_compact_and_segments(small_org, capsys):
    org, *_ = small_org
    assert main(["rollups", "verify", "--org", org.slug]) == 0
    assert "rollups match the responses" in capsys.readouterr().out
    MetricCube.objects.for_org(org).update(nps9=0)
    assert main(["rollups", "verify", "--org", org.slug]) == 1
    assert "nps cube" in capsys.readouterr().err
    assert main(["rollups", "rebuild", "--org", org.slug]) == 0
    assert "40 responses" in capsys.readouterr().out
    assert main(["rollups", "verify"]) == 0
    AnswerCount.objects.for_org(org).filter(pk=AnswerCount.objects.for_org(org).first().pk).update(count=0)
    assert main(["rollups", "compact", "--org", org.slug]) == 0
    assert "1 empty rows deleted" in capsys.readouterr().out
    assert main(["rollups", "segments", "--org", org.slug, "--set", "tier", "kind"]) == 0
    capsys.readouterr()
    assert main(["rollups", "segments", "--org", org.slug]) == 0
    assert capsys.readouterr().out.strip() == "tier kind"
    assert main(["rollups", "rebuild", "--org", "no-such-org"]) == 1


def test_insights_report_command_writes_pdf_and_csv(small_org, make_member, tmp_path, capsys):
    org, actor, *_ = small_org
    from openxm.insights import dashboards

    dashboards.save_dashboard(
        actor, {"key": "d", "name": "D", "widgets": [{"type": "metric_card", "metric": "nps"}]}
    )
    make_member(org, "viewer", "v@example.com")
    out = tmp_path / "d.pdf"
    args = ["insights", "report", "d", "--period", "12m", "--output", str(out), "--org", org.slug, "--user"]
    assert main([*args, "v@example.com"]) == 0
    assert out.read_bytes().startswith(b"%PDF") and out.with_suffix(".csv").exists()
    assert main(["insights", "send-reports"]) == 0
    assert "0 reports sent" in capsys.readouterr().out


def test_help_texts():
    for command in (["rollups", "--help"], ["journeys", "--help"], ["insights", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(command)
        assert done.value.code == 0


def test_demo_journeys_dashboards_and_o_data(monkeypatch):
    from openxm.accounts import services as accounts
    from openxm.demo import company
    from openxm.demo import journeys as demo
    from openxm.demo.loader import DemoContext
    from openxm.insights import dashboards
    from openxm.journeys import operational
    from openxm.journeys import services as journeys

    monkeypatch.setattr(demo, "PULSE_RESPONSES", 90)
    ctx = DemoContext(password="demo-password-123")
    for _ in range(2):  # idempotent
        company.load_company(ctx)
        demo.load_journeys(ctx)
        demo.load_journey_data(ctx)
    org = accounts.get_organization("demo")
    actor = accounts.operator_actor(org)
    assert [j.key for j in journeys.list_journeys(actor)] == ["buy-online", "get-support"]
    assert {d.role for d in dashboards.list_dashboards(actor)} == {
        "executive",
        "journey_owner",
        "store_manager",
        "agent",
    }
    assert len(operational.list_operational(actor, ["relationship"])) == 24
    assert MetricCube.objects.for_org(org).filter(responses__gt=0).exists()
    assert ctx.log[-1].startswith("survey questions bound to ")
