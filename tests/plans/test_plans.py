"""Action plans through their services, pages, API and CLI: changes logged and audited, input
errors naming the field, unit scope, and the measured impact of a planted effect."""

import json

import pytest

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import AuditEvent
from openxm.plans import measure, services

from .conftest import GO_LIVE, TODAY, mix


def test_create_update_tasks_and_log(admin, analyst, units):
    plan = services.create_plan(
        analyst,
        {
            "title": "Faster delivery",
            "touchpoint": "delivery",
            "unit": "sh",
            "metric": "nps",
            "go_live": "2026-09-01",
        },
    )
    assert plan.owner == analyst.user and plan.status == "draft"
    services.update_plan(analyst, plan.pk, {"status": "active", "owner": "admin@example.com"})
    task = services.add_task(analyst, plan.pk, "Hire two couriers", "admin@example.com", "2026-09-15")
    services.set_task_done(admin, plan.pk, task.pk, True)
    log = [(e.action, e.data) for e in services.events_of(plan)][::-1]
    assert [a for a, _d in log] == ["created", "updated", "task_added", "task_done"]
    assert log[1][1] == {"status": ["draft", "active"], "owner": ["analyst@example.com", "admin@example.com"]}
    actions = set(AuditEvent.objects.for_org(analyst.organization).values_list("action", flat=True))
    assert {"plan.created", "plan.updated", "plan.task_added", "plan.task_done"} <= actions
    services.delete_plan(admin, plan.pk)
    with pytest.raises(NotFound):
        services.get_plan(admin, plan.pk)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": " "}, "title"),
        ({"title": "x", "owner": "stranger@example.com"}, "owner"),
        ({"title": "x", "go_live": "1 Sept"}, "go_live"),
        ({"title": "x", "metric": "mood"}, "metric"),
        ({"title": "x", "metric": "negative_share"}, "topic"),
        ({"title": "x", "metric": "root_cause_share"}, "root_cause"),
        ({"title": "x", "root_cause": "late-delivery"}, "root_cause"),  # no such code in the org
        (
            {"title": "x", "touchpoint": "delivery", "control_kind": "touchpoint", "control": "delivery"},
            "control",
        ),
        ({"title": "x", "control_kind": "touchpoint", "control": "store"}, "control"),
        ({"title": "x", "unit": "sh", "control_kind": "unit", "control": "cn"}, "control"),
        ({"title": "x", "unit": "nowhere"}, "unit"),
        ({"title": "x", "window_days": "3"}, "window_days"),
        ({"title": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(analyst, units, data, field):
    with pytest.raises(InvalidInput) as caught:
        services.create_plan(analyst, data)
    assert caught.value.field == field
    assert services.list_plans(analyst) == []


def test_roles_and_unit_scope(actor_for, analyst, units):
    viewer = actor_for("viewer")
    with pytest.raises(PermissionDenied):
        services.create_plan(viewer, {"title": "x"})
    shanghai = services.create_plan(analyst, {"title": "Shanghai", "unit": "sh"})
    services.create_plan(analyst, {"title": "Beijing", "unit": "bj"})
    services.create_plan(analyst, {"title": "Everywhere"})
    limited = actor_for("analyst", email="sh@example.com", unit="sh")
    assert [p.title for p in services.list_plans(limited)] == ["Shanghai"]
    with pytest.raises(NotFound):
        services.get_plan(limited, services.list_plans(analyst, target=("unit", "bj"))[0].pk)
    own = services.create_plan(limited, {"title": "Mine"})
    assert own.unit.code == "sh"
    with pytest.raises(InvalidInput) as caught:
        services.create_plan(limited, {"title": "Theirs", "unit": "bj"})
    assert caught.value.field == "unit"
    # The assignee may tick their own task; another viewer may not.
    task = services.add_task(analyst, shanghai.pk, "Call back", viewer.user.email)
    services.set_task_done(viewer, shanghai.pk, task.pk, True)
    other = actor_for("viewer", email="v2@example.com")
    with pytest.raises(PermissionDenied):
        services.set_task_done(other, shanghai.pk, task.pk, False)


def _planted(load):
    """Delivery in Shanghai gains about 30 NPS points at go-live; the store touchpoint (the
    control) and the months themselves stay the same."""
    before_days, after_days = 42, 42
    start = GO_LIVE.replace(day=1) - __import__("datetime").timedelta(days=before_days)
    load("delivery", "sh", start, before_days, mix(50, 50, 60, seed=1))
    load("delivery", "sh", GO_LIVE, after_days, mix(90, 45, 25, seed=2))
    load("store", "sh", start, before_days, mix(60, 50, 50, seed=3))
    load("store", "sh", GO_LIVE, after_days, mix(60, 50, 50, seed=4))


def test_impact_of_a_planted_improvement(analyst, units, load):
    _planted(load)
    plan = services.create_plan(
        analyst,
        {
            "title": "Courier training",
            "touchpoint": "delivery",
            "unit": "sh",
            "go_live": GO_LIVE.isoformat(),
            "control_kind": "touchpoint",
            "control": "store",
        },
    )
    measured = measure.impact(analyst, plan.pk, today=TODAY)
    assert [c.n for c in measured.before_after.cells] == [160, 160]
    assert measured.before_after.effect == pytest.approx(100 * (65 / 160) - 100 * (-10 / 160))
    did = measured.did
    assert did.design == "diff_in_diff" and did.verdict == "improved"
    assert [c.n for c in did.cells] == [160, 160, 160, 160]
    assert did.effect == pytest.approx(100 * (65 - -10) / 160)
    assert did.p_value < 0.05 and did.ci_low > 0


def test_not_enough_data_yet(analyst, units, load):
    load("delivery", "sh", GO_LIVE, 5, mix(5, 5, 5))
    plan = services.create_plan(analyst, {"title": "x", "touchpoint": "delivery", "unit": "sh"})
    assert measure.impact(analyst, plan.pk, today=TODAY).missing == "no_go_live"
    services.update_plan(analyst, plan.pk, {"go_live": "2026-10-25"})
    result = measure.impact(analyst, plan.pk, today=TODAY).before_after
    assert result.verdict == "not_enough_data"
    assert result.reasons == ("min_n", "window_after")
    assert result.effect is None


def test_pages_api_and_cli(analyst, units, load, make_key, api, signed_in, org_a, capsys):
    from openxm.cli import main

    _planted(load)
    client = signed_in(analyst.user)
    page = client.post(
        "/plans/",
        {
            "title": "Courier training",
            "touchpoint": "delivery",
            "unit": "sh",
            "go_live": GO_LIVE.isoformat(),
            "metric": "nps",
            "window_days": "42",
            "control_kind": "touchpoint",
            "control": "store",
            "status": "active",
        },
    )
    assert page.status_code == 302
    plan_id = int(page["Location"].rstrip("/").split("/")[-1])
    detail = client.get(f"/plans/{plan_id}/").content.decode()
    assert 'data-design="diff_in_diff"' in detail and "Courier training" in detail
    bad = client.post("/plans/", {"title": "x", "go_live": "soon"}).content.decode()
    assert 'data-field="go_live"' in bad

    key = make_key(org_a, "analyst")
    caller = api(key)
    listed = caller.get("/plans").json()
    assert [p["id"] for p in listed] == [plan_id]
    impact = caller.get(f"/plans/{plan_id}/impact").json()
    assert impact["groups"]["control"] == {"touchpoints": ["store"], "unit": "sh"}
    assert impact["before_after"]["cells"][0]["n"] > 0
    created = caller.post("/plans", {"title": "From the API", "metric": "ces"})
    assert created.status_code == 201
    wrong = caller.post("/plans", {"title": "x", "window_days": 2})
    assert wrong.status_code == 422 and wrong.json()["field"] == "window_days"
    task = caller.post(f"/plans/{plan_id}/tasks", {"title": "Brief the couriers"}).json()
    assert task["done"] is False
    backlog = caller.get("/plans/backlog?days=365&target=40").json()
    delivery = next(i for i in backlog["items"] if i["code"] == "delivery")
    assert delivery["plans"][0]["id"] == plan_id
    assert caller.get("/plans/backlog?weights=gold").json()["field"] == "weights"

    assert main(["plans", "list", "--api-key", key]) == 0
    assert "Courier training" in capsys.readouterr().out
    assert main(["plans", "impact", str(plan_id), "--api-key", key, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["plan"] == plan_id and out["diff_in_diff"]["design"] == "diff_in_diff"
