"""Figures from the rollups: n, intervals, suppression, period and segment tests, eNPS, weights,
time zones, and the journey map (emotion line, pain points, O-data beside the metrics)."""

from datetime import UTC, date, datetime

import pytest

from openxm.accounts import services as accounts
from openxm.accounts.actors import PermissionDenied
from openxm.accounts.scope import organization_scope
from openxm.analytics import metrics
from openxm.insights import figures, journey_map, rollups
from openxm.insights.query import Filters, tallies
from openxm.journeys import operational
from openxm.surveys import services as surveys

from .factories import DEFINITION, record, setup_org

pytestmark = pytest.mark.django_db

MARCH = datetime(2025, 3, 10, 9, tzinfo=UTC)
FEBRUARY = datetime(2025, 2, 10, 9, tzinfo=UTC)
M = Filters(date(2025, 3, 1), date(2025, 3, 28))


@pytest.fixture
def org(org_a, make_member):
    org_a.min_sample_size = 3
    org_a.save()
    actor, survey = setup_org(org_a, make_member)
    rollups.set_segment_attributes(org_a, ["tier"])
    march = [
        (10, 5, 7, "gold"),
        (9, 4, 6, "gold"),
        (10, 5, 7, "gold"),
        (6, 2, 3, "bronze"),
        (3, 1, 2, "bronze"),
        (8, 4, 5, "bronze"),
        (9, 5, 6, "gold"),
    ]
    for i, (nps, csat, ces, tier) in enumerate(march):
        record(
            org_a,
            survey,
            when=MARCH.replace(day=10 + i),
            answers={"nps": nps, "csat": csat, "ces": ces},
            tier=tier,
            unit="sh-1" if tier == "gold" else "sh-2",
            contact=f"m{i}",
        )
    for i, nps in enumerate([2, 3, 4, 9, 6]):
        record(
            org_a,
            survey,
            when=FEBRUARY.replace(day=3 + i),
            answers={"nps": nps, "csat": 2, "ces": 3},
            tier="bronze",
            contact=f"f{i}",
        )
    return org_a, actor, survey


def test_figure_carries_n_interval_and_the_change_with_its_test(org):
    _, actor, _ = org
    fig = figures.headline(actor, M, "nps")
    expected = metrics.nps([10, 9, 10, 6, 3, 8, 9])
    assert (fig.result.n, fig.result.score) == (7, pytest.approx(expected.score))
    assert (fig.result.ci_low, fig.result.ci_high) == (
        pytest.approx(expected.ci_low),
        pytest.approx(expected.ci_high),
    )
    before = metrics.nps([2, 3, 4, 9, 6])
    assert fig.previous.score == pytest.approx(before.score)
    assert fig.comparison.test == "NPS difference z" and fig.trend in ("up", "flat")
    assert figures.headline(actor, M, "csat").comparison.test == "two-proportion z"
    assert figures.headline(actor, M, "ces").comparison.test == "Welch t"


def test_groups_below_the_minimum_n_are_suppressed(org):
    o, actor, _ = org
    found, source = figures.figures(actor, M, "nps", ("touchpoint",))
    assert source == "cube" and [f.group for f in found] == [("web.visit",)]
    gold = Filters(M.start, M.end, attributes=(("tier", "gold"),))
    assert figures.headline(actor, gold, "nps").result.n == 4
    o.min_sample_size = 5
    o.save()
    r = figures.headline(actor, gold, "nps").result
    assert r.suppressed and r.n == 4 and r.score is None


def test_question_tags_route_answers_to_their_touchpoint(org):
    _, actor, _ = org
    by_tp = {f.group[0]: f.result.n for f in figures.figures(actor, M, "ces", ("touchpoint",))[0]}
    assert by_tp == {"support.chat": 7}  # the CES question is tagged support.chat
    volume = figures.volume(actor, M, ("touchpoint",))
    assert volume == {("web.visit",): 7}


def test_segment_versus_segment(org):
    _, actor, _ = org
    gold, bronze, test = figures.compare_segments(actor, M, "nps", "tier", "gold", "bronze")
    assert (gold.n, bronze.n) == (4, 3) and gold.score == 100.0
    assert test.test == "NPS difference z" and test.groups == ("gold", "bronze") and test.difference > 0


def test_unit_and_region_filters_use_the_answer_rollups(org):
    o, actor, _ = org
    region = Filters(M.start, M.end, unit="east")
    store = Filters(M.start, M.end, unit="sh-1")
    assert tallies(organization_scope(o), region, "nps").source == "answers"
    assert figures.headline(actor, region, "nps").result.n == 7
    assert figures.headline(actor, store, "nps").result.n == 4


def test_other_contact_attributes_fall_back_to_the_responses(org):
    o, actor, survey = org
    record(o, survey, when=MARCH.replace(day=25), answers={"nps": 10}, contact="vip", tier="gold")
    from openxm.customers.services import upsert_contact

    upsert_contact(o, "vip", {}, {"city": "Shanghai"})
    f = Filters(M.start, M.end, attributes=(("city", "Shanghai"),))
    assert tallies(organization_scope(o), f, "nps").source == "raw"
    assert figures.headline(actor, f, "nps").result.n == 1


def test_employee_results_never_leave_through_the_metrics(org, make_member):
    """Employee surveys are released only as suppressed group figures (openxm.employees): the
    metrics, which any filter can cut, count none of them, from any source."""
    o, actor, _ = org
    employee = {**DEFINITION, "key": "pulse", "audience": "employee", "touchpoint": "employee.pulse"}
    survey = surveys.create_survey(actor, employee)
    surveys.publish_survey(actor, survey.pk)
    survey = surveys.get_survey(actor, survey.pk)
    for i in range(6):
        record(o, survey, when=MARCH.replace(day=12), answers={"nps": 9}, contact=f"e{i}", kind="employee")
    assert figures.headline(actor, M, "nps").result.n == 7
    assert figures.headline(actor, M, "enps").result.n == 0
    assert figures.headline(actor, Filters(M.start, M.end, channel="email"), "enps").result.n == 0
    for source in ("cube", "answers", "raw"):
        assert tallies(organization_scope(o), M, "enps", source=source).table == {}
    by_survey = tallies(organization_scope(o), M, "nps", group_by=("survey",), source="answers").table
    assert (survey.pk,) not in by_survey


def test_weights_use_the_effective_n(org):
    o, actor, survey = org
    record(o, survey, when=MARCH.replace(day=27), answers={"nps": 0}, weight=3.0, contact="w")
    f = Filters(M.start, M.end, weighted=True)
    r = figures.headline(actor, f, "nps").result
    raw = metrics.nps([10, 9, 10, 6, 3, 8, 9, 0], weights=[1] * 7 + [3])
    assert (
        r.weighted and r.score == pytest.approx(raw.score) and r.effective_n == pytest.approx(raw.effective_n)
    )


def test_days_are_counted_in_the_organizations_time_zone(org_b, make_member):
    org_b.time_zone = "Asia/Shanghai"
    org_b.save()
    actor, survey = setup_org(org_b, make_member)
    record(
        org_b, survey, when=datetime(2025, 3, 31, 17, 30, tzinfo=UTC), answers={"nps": 9}
    )  # 01:30 on 1 April
    april = Filters(date(2025, 4, 1), date(2025, 4, 30))
    assert figures.headline(actor, april, "nps").result.n == 1
    assert tallies(organization_scope(org_b), april, "nps", source="raw").table[()][9][0] == 1


def test_journey_map_stages_emotion_pain_points_and_o_data(org):
    o, actor, _ = org
    operational.record_operational(
        actor,
        [
            {
                "touchpoint": "support.chat",
                "metric": "fcr",
                "period": "2025-02",
                "numerator": 60,
                "denominator": 100,
            },
            {
                "touchpoint": "support.chat",
                "metric": "fcr",
                "period": "2025-03",
                "numerator": 75,
                "denominator": 100,
            },
        ],
    )
    jm = journey_map.build(actor, "buy-online", M)
    assert jm.source == "cube" and [s.key for s in jm.stages] == ["aware", "get-help"]
    web = jm.stages[0].touchpoints[0]
    assert web.volume == 7 and web.volume_previous == 5
    assert web.metrics["nps"].target == 30 and web.metrics["nps"].result.n == 7
    chat = jm.stages[1].touchpoints[0]
    assert chat.metrics["ces"].result.score == pytest.approx(36 / 7)
    assert [(c.metric, c.value, c.previous) for c in chat.operational] == [("fcr", 75.0, 60.0)]
    # CSAT 71.4 % vs 85 on 7 answers: impact 7 × 13.6 = 95; CES 5.14 vs 5.5: 7 × 0.357/6 × 100 = 41.7;
    # NPS 28.6 vs 30: 7 × 1.43/200 × 100 = 5.
    ranked = [(p.pain.key, p.pain.metric, round(p.pain.impact, 1)) for p in jm.pain_points]
    assert ranked == [("web.visit", "csat", 95.0), ("support.chat", "ces", 41.7), ("web.visit", "nps", 5.0)]
    assert jm.stages[0].emotion.n == 14 and 0 < jm.stages[0].emotion.mean < 100
    assert set(jm.trends) == {"nps", "csat", "ces"} and jm.trends["nps"].touchpoints == [
        "web.visit",
        "support.chat",
    ]
    gold = journey_map.build(actor, "buy-online", Filters(M.start, M.end, attributes=(("tier", "gold"),)))
    assert gold.source == "cube" and gold.stages[0].touchpoints[0].metrics["nps"].result.n == 4
    assert journey_map.build(actor, "buy-online", Filters(M.start, M.end, unit="east")).source == "answers"


def test_trend_grid_matches_single_figures(org):
    o, actor, _ = org
    f = Filters(date(2025, 2, 1), date(2025, 3, 31))
    for source in ("cube", "answers", "raw"):
        grid = figures.trend_grid(
            organization_scope(o), f, "nps", "m", touchpoints=["web.visit"], source=source
        )
        assert [b.isoformat() for b in grid.buckets] == ["2025-02-01", "2025-03-01"]
        n, score, low, high = grid.cell(0, 1)
        march = figures.headline(actor, Filters(date(2025, 3, 1), date(2025, 3, 31)), "nps").result
        assert (n, score) == (march.n, pytest.approx(march.score))
        assert (low, high) == (pytest.approx(march.ci_low), pytest.approx(march.ci_high))


def test_members_without_dashboards_view_cannot_read_figures(org):
    o, _, _ = org
    from openxm.accounts.actors import Actor
    from openxm.accounts.roles import Role

    class NoRole(Actor):
        def can(self, perm):
            return False

    nobody = NoRole(organization=o, role=Role.VIEWER, via="web")
    with pytest.raises(PermissionDenied):
        figures.headline(nobody, M, "nps")
    with pytest.raises(PermissionDenied):
        journey_map.build(nobody, "buy-online", M)


def test_another_organization_gets_nothing(org, org_b, make_member):
    actor_b = accounts.actor_for_user(make_member(org_b, "admin"), org_b, via="web")
    assert figures.headline(actor_b, M, "nps").result.n == 0
    assert figures.figures(actor_b, M, "nps", ("touchpoint",))[0] == []


def test_cx_dimensions_pool_tagged_questions_on_their_own_scales(org):
    _, actor, _ = org
    dims = figures.cx_dimensions(actor, M)
    # responsiveness = CES (1–7) answers [7, 6, 7, 3, 2, 5, 6] rescaled: 100·(x − 1)/6.
    expected = sum(100 * (x - 1) / 6 for x in [7, 6, 7, 3, 2, 5, 6]) / 7
    assert dims["responsiveness"].n == 7 and dims["responsiveness"].mean == pytest.approx(expected)
    assert dims["empathy"].suppressed and dims["empathy"].n == 0


def test_response_rate_is_completed_over_delivered_invitations(org):
    from django.utils import timezone

    from openxm.customers.services import upsert_contact
    from openxm.distribution.models import Distribution, Invitation

    o, actor, survey = org
    dist = Distribution.objects.for_org(o).create(
        organization=o, survey=survey, channel="email", name="d", touchpoint="web.visit"
    )
    contact = upsert_contact(o, "inv", {}, {})
    statuses = ["completed"] * 3 + ["sent"] * 4 + ["opened"] + ["bounced", "failed"]
    for i, status in enumerate(statuses):
        Invitation.objects.for_org(o).create(
            organization=o,
            distribution=dist,
            survey=survey,
            contact=contact,
            channel="email",
            touchpoint="web.visit",
            status=status,
            nonce=f"n{i}",
            expires_at=timezone.now(),
            sent_at=MARCH.replace(day=12),
        )
    (rate,) = figures.response_rates(actor, M, ("touchpoint",))
    assert rate.group == ("web.visit",) and (rate.result.completed, rate.result.delivered) == (3, 8)
    assert rate.result.rate == pytest.approx(37.5) and rate.result.ci_low < 37.5 < rate.result.ci_high
