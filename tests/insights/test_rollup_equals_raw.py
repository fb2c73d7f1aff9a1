"""The rollups give the same tallies, and so the same figures, as the response tables — for
random filters and groupings, after recording, deleting and rebuilding."""

import random
from datetime import date

import pytest

from openxm.accounts import services as accounts
from openxm.accounts.scope import organization_scope
from openxm.analytics.rollup_math import score_from_tally
from openxm.insights import rollups
from openxm.insights.models import AnswerCount, MetricCube
from openxm.insights.query import Filters, tallies
from openxm.responses import actions
from openxm.surveys.models import Response

from .factories import CHANNELS, TIERS, random_responses, setup_org

pytestmark = pytest.mark.django_db

GROUPINGS = [
    (),
    ("touchpoint",),
    ("bucket",),
    ("touchpoint", "bucket"),
    ("segment",),
    ("channel",),
    ("unit",),
    ("survey", "question"),
    ("touchpoint", "segment", "bucket"),
]


@pytest.fixture
def loaded(org_a, make_member):
    actor, survey = setup_org(org_a, make_member)
    rollups.set_segment_attributes(org_a, ["tier", "kind"])
    random_responses(org_a, survey, 110, weighted=True)
    return org_a, survey


def random_filters(rng: random.Random) -> Filters:
    start = date(2025, 1, 1) + __import__("datetime").timedelta(days=rng.randint(0, 60))
    end = start + __import__("datetime").timedelta(days=rng.randint(0, 70))
    attrs = []
    if rng.random() < 0.5:
        attrs.append(("tier", rng.choice(TIERS)))
    if rng.random() < 0.3:
        attrs.append(("kind", rng.choice(["customer", "employee"])))
    return Filters(
        start=start,
        end=end,
        touchpoint=rng.choice(["", "", "web.visit", "support.chat"]),
        journey=rng.choice(["", "", "buy-online"]),
        channel=rng.choice(["", "", ""] + CHANNELS),
        unit=rng.choice(["", "", "east", "sh-1"]),
        attributes=tuple(attrs),
        weighted=rng.random() < 0.3,
    )


def sources_for(metric, f, group_by):
    cube_ok = (
        metric in ("nps", "csat", "ces", "responses")
        and not (f.channel or f.unit)
        and set(group_by) <= {"touchpoint", "bucket", "segment"}
    )
    return (["cube"] if cube_ok else []) + ["answers"]


def assert_same(a: dict, b: dict, weighted: bool):
    assert a.keys() == b.keys()
    for group in a:
        assert {p: v[0] for p, v in a[group].items()} == {p: v[0] for p, v in b[group].items()}, group
        for p in a[group]:
            assert a[group][p][1] == pytest.approx(b[group][p][1]) and a[group][p][2] == pytest.approx(
                b[group][p][2]
            )


def test_rollups_equal_raw_for_random_filters(loaded):
    org, _ = loaded
    rng = random.Random(11)
    checked = 0
    for _ in range(40):
        f = random_filters(rng)
        metric = rng.choice(["nps", "csat", "ces", "responses", "rating"])
        group_by = rng.choice(GROUPINGS)
        if metric == "responses" and "question" in group_by:
            continue
        grain = rng.choice(["d", "w", "m"])
        raw = tallies(organization_scope(org), f, metric, group_by, grain, source="raw").table
        for source in sources_for(metric, f, group_by):
            got = tallies(organization_scope(org), f, metric, group_by, grain, source=source).table
            assert_same(got, raw, f.weighted)
            if metric in ("nps", "csat", "ces"):
                for group in raw:
                    assert (
                        score_from_tally(metric, got[group], weighted=f.weighted)
                        == score_from_tally(metric, raw[group], weighted=f.weighted)
                        or f.weighted
                    )
            checked += 1
    assert checked > 40


def test_auto_source_prefers_the_cube_and_falls_back(loaded):
    org, _ = loaded
    f = Filters(date(2025, 1, 1), date(2025, 3, 31), attributes=(("tier", "gold"),))
    assert tallies(organization_scope(org), f, "nps", ("touchpoint", "bucket")).source == "cube"
    assert (
        tallies(
            organization_scope(org), Filters(f.start, f.end, channel="sms"), "nps", ("touchpoint",)
        ).source
        == "answers"
    )
    other = Filters(f.start, f.end, attributes=(("city", "Shanghai"),))
    assert tallies(organization_scope(org), other, "nps").source == "raw"


def test_deleting_a_response_subtracts_it_and_rebuild_restores_the_same_rows(loaded, make_member):
    org, _ = loaded
    f = Filters(date(2025, 1, 1), date(2025, 6, 30))
    admin = accounts.actor_for_user(make_member(org, "admin"), org, via="web")
    actions.delete_response(admin, Response.objects.for_org(org).order_by("id").first().pk)
    for metric in ("nps", "csat", "ces", "responses"):
        raw = tallies(organization_scope(org), f, metric, ("touchpoint", "bucket"), "w", source="raw").table
        assert_same(
            tallies(organization_scope(org), f, metric, ("touchpoint", "bucket"), "w", source="cube").table,
            raw,
            False,
        )
    before = sorted(
        (r.touchpoint, r.day, r.question_id, r.value, r.count)
        for r in AnswerCount.objects.for_org(org).filter(count__gt=0)
    )
    cube_before = MetricCube.objects.for_org(org).count()
    result = rollups.rebuild(org)
    after = sorted(
        (r.touchpoint, r.day, r.question_id, r.value, r.count) for r in AnswerCount.objects.for_org(org)
    )
    assert after == before and result.responses == Response.objects.for_org(org).count()
    assert MetricCube.objects.for_org(org).count() <= cube_before


def test_rollups_of_one_organization_never_count_another(loaded, org_b, make_member):
    org, survey = loaded
    _, survey_b = setup_org(org_b, make_member)
    random_responses(org_b, survey_b, 20, seed=3)
    f = Filters(date(2025, 1, 1), date(2025, 12, 31))
    a = tallies(organization_scope(org), f, "responses", source="cube").table[()][0][0]
    b = tallies(organization_scope(org_b), f, "responses", source="cube").table[()][0][0]
    assert (a, b) == (110, 20)
