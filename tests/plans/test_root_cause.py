"""A plan on a root cause, measured by the cases: the share of responses whose case was resolved
with the plan's root cause, before vs after its go-live. Only the plan's root cause counts, a
response counts once, and the plan's unit bounds both the responses and their cases."""

from datetime import UTC, datetime, time, timedelta

import pytest

from openxm.accounts.errors import InvalidInput
from openxm.cases import actions, config
from openxm.cases import services as cases
from openxm.plans import measure, services
from openxm.surveys import collect

from .conftest import GO_LIVE, TODAY

WINDOW = 42


@pytest.fixture
def causes(admin):
    config.save_root_cause(admin, "late-delivery", "Late delivery")
    config.save_root_cause(admin, "staff", "Staff attitude")


def _responses(org, survey, unit: str, first, n: int, tag: str) -> list[int]:
    subs = [
        collect.Submission(
            answers={"nps": 3},
            idempotency_key=f"{tag}-{i}",
            unit=unit,
            completed_at=datetime.combine(first + timedelta(days=i % WINDOW), time(12), UTC),
        )
        for i in range(n)
    ]
    return [r.response.pk for r in collect.record_batch(org, survey, subs)]


def _worked(admin, response_ids, cause: str) -> None:
    for response_id in response_ids:
        case = cases.open_case(admin, response_id=response_id)
        actions.transition(admin, case.pk, "resolved", "", root_cause=cause)


def test_a_plan_on_a_root_cause_measures_its_share_of_the_cases(
    admin, analyst, units, causes, org_a, nps_survey
):
    before = _responses(org_a, nps_survey, "sh", GO_LIVE - timedelta(days=WINDOW), 60, "b")
    after = _responses(org_a, nps_survey, "sh", GO_LIVE, 60, "a")
    _worked(admin, before[:18] + after[:3], "late-delivery")  # 30 % before, 5 % after
    _worked(admin, before[18:30], "staff")  # another cause: not the plan's
    cases.open_case(admin, response_id=before[0], title="A second case")  # the response counts once
    beijing = _responses(org_a, nps_survey, "bj", GO_LIVE, 40, "bj")
    _worked(admin, beijing[:40], "late-delivery")  # late after go-live, but in Beijing

    on_late = {"root_cause": "late-delivery", "metric": "root_cause_share", "go_live": GO_LIVE}
    plan = services.create_plan(
        analyst, {"title": "Delivery slots", "unit": "sh", "window_days": WINDOW, **on_late}
    )
    result = measure.impact(analyst, plan.pk, today=TODAY).before_after
    assert [c.n for c in result.cells] == [60, 60]
    assert [c.estimate for c in result.cells] == pytest.approx([30.0, 5.0])
    assert result.effect == pytest.approx(-25.0) and result.verdict == "improved"

    # Beijing's late deliveries (every one of its responses) were outside the plan's unit; the
    # whole organization's plan counts them, and the share after go-live rises to 43 %.
    everywhere = services.create_plan(analyst, {"title": "Everywhere", "window_days": WINDOW, **on_late})
    whole = measure.impact(analyst, everywhere.pk, today=TODAY).before_after
    assert [c.n for c in whole.cells] == [60, 100]
    assert [c.estimate for c in whole.cells] == pytest.approx([30.0, 43.0])


def test_the_plan_form_offers_the_root_causes_and_refuses_others(analyst, units, causes, signed_in):
    client = signed_in(analyst.user)
    page = client.get("/plans/").content.decode()
    assert '<option value="late-delivery"' in page and "Late delivery (late-delivery)" in page
    refused = client.post(
        "/plans/", {"title": "x", "root_cause": "weather", "metric": "root_cause_share", "window_days": "42"}
    ).content.decode()
    assert 'data-field="root_cause"' in refused
    with pytest.raises(InvalidInput) as caught:
        services.create_plan(analyst, {"title": "x", "metric": "root_cause_share"})
    assert caught.value.field == "root_cause"
    assert services.list_plans(analyst) == []
