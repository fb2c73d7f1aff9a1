"""Deleting and anonymising a response keep the rollups, the response facts and
``openxm rollups verify`` in step with the response tables, inside the action's transaction."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openxm.accounts import services as accounts
from openxm.insights import rollups
from openxm.insights.models import CUBE_SCALES, AnswerCount, MetricCube, ResponseFact
from openxm.insights.rollups import ANSWER_KEY, ANSWER_SUMS, CUBE_KEY, CUBE_SUMS
from openxm.insights.verify import verify
from openxm.responses import actions
from openxm.surveys import collect, signals
from openxm.surveys.models import Response

from .factories import setup_org

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
TIERS = ("gold", "silver")


@pytest.fixture
def loaded(org_a, make_member):
    _analyst, survey = setup_org(org_a, make_member)
    rollups.set_segment_attributes(org_a, ["tier", "kind"])
    admin = accounts.actor_for_user(make_member(org_a, "admin"), org_a, via="web")
    return org_a, survey, admin


def _record(org, survey, answers, *, day=0, tier=None, unit=""):
    # One contact per tier, so its attributes never change and a re-segmenting rebuild agrees.
    contact = collect.ContactRef(f"c-{tier}", {"kind": "customer"}, {"tier": tier}) if tier else None
    when = START + timedelta(days=day)
    sub = collect.Submission(
        answers=answers, contact=contact, unit=unit, completed_at=when, started_at=when - timedelta(minutes=2)
    )
    return collect.record_response(org, survey, sub).response


def _csat(org) -> dict[int, int]:
    rows = AnswerCount.objects.for_org(org).filter(qtype="csat").exclude(count=0)
    return {r.value: r.count for r in rows}


def test_deleting_a_response_takes_it_out_of_the_rollups(loaded):
    """The bug of issue 12: a csat=1 response created then deleted left {1: 1} in the rollup."""
    org, survey, admin = loaded
    response = _record(org, survey, {"csat": 1}, tier="gold")
    assert _csat(org) == {1: 1}
    actions.delete_response(admin, response.pk)
    assert _csat(org) == {}
    assert not MetricCube.objects.for_org(org).exclude(csat1=0).exists()
    assert not MetricCube.objects.for_org(org).exclude(responses=0).exists()
    assert not ResponseFact.objects.for_org(org).exists()
    assert verify(org) == []


def test_verify_finds_the_counts_of_a_deleted_response_left_behind(loaded):
    org, survey, _admin = loaded
    kept = _record(org, survey, {"csat": 4}, day=3)
    gone = _record(org, survey, {"csat": 1}, day=0)
    Response.objects.for_org(org).filter(pk=gone.pk).delete()  # behind the action's back
    assert kept.pk and any("csat" in problem for problem in verify(org))


def test_anonymising_moves_the_response_out_of_its_contacts_segment(loaded):
    org, survey, admin = loaded
    response = _record(org, survey, {"csat": 5, "nps": 9}, tier="gold")
    fact = ResponseFact.objects.for_org(org).get(response=response)
    assert fact.segment_key == "tier=gold|kind=customer"
    actions.anonymise_response(admin, response.pk)
    fact.refresh_from_db()
    assert fact.segment_key == "tier=|kind="
    segments = set(AnswerCount.objects.for_org(org).exclude(count=0).values_list("segment_key", flat=True))
    assert segments == {"tier=|kind="}
    cube = MetricCube.objects.for_org(org).exclude(responses=0)
    assert {row.segment_key for row in cube} == {"tier=|kind="} and all(row.nps9 == 1 for row in cube)
    assert verify(org) == []


def test_a_failing_receiver_undoes_the_whole_delete(loaded):
    org, survey, admin = loaded
    response = _record(org, survey, {"csat": 2}, tier="silver")

    def broken(sender, **kwargs):
        raise RuntimeError("receiver failed")

    signals.response_deleted.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            actions.delete_response(admin, response.pk)
    finally:
        signals.response_deleted.disconnect(dispatch_uid="test.broken")
    assert Response.objects.for_org(org).filter(pk=response.pk).exists()
    assert _csat(org) == {2: 1} and ResponseFact.objects.for_org(org).filter(response=response).exists()


# --- Any mix of inserts, deletes and anonymisations --------------------------------------------


def _nonzero(rows, key_cols, sum_cols) -> dict:
    out = {}
    for row in rows.values_list(*key_cols, *sum_cols):
        sums = tuple(round(v, 6) for v in row[len(key_cols) :])
        if any(sums):
            out[row[: len(key_cols)]] = sums
    return out


def _rollup_state(org) -> tuple[dict, dict, dict]:
    return (
        _nonzero(AnswerCount.objects.for_org(org), ANSWER_KEY, ANSWER_SUMS),
        _nonzero(MetricCube.objects.for_org(org), CUBE_KEY, CUBE_SUMS),
        dict(ResponseFact.objects.for_org(org).values_list("response_id", "segment_key")),
    )


ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "nps": st.integers(0, 10),
        "csat": st.integers(*CUBE_SCALES["csat"]),
        "ces": st.integers(*CUBE_SCALES["ces"]),
        "speed": st.integers(1, 5),
    },
).filter(bool)
INSERT = st.tuples(
    st.just("insert"),
    ANSWERS,
    st.integers(0, 2),
    st.sampled_from((None, *TIERS)),
    st.sampled_from(("", "sh-1")),
)
CHANGE = st.tuples(st.sampled_from(("delete", "anonymise")), st.integers(0, 20))
OPERATIONS = st.lists(st.one_of(INSERT, INSERT, CHANGE), min_size=1, max_size=10)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_verify_holds_after_any_mix_of_inserts_deletes_and_anonymisations(loaded, operations):
    org, survey, admin = loaded
    with transaction.atomic():  # each example starts from the same empty organization
        stored: list[int] = []
        for op in operations:
            if op[0] == "insert":
                _kind, answers, day, tier, unit = op
                stored.append(_record(org, survey, answers, day=day, tier=tier, unit=unit).pk)
            elif stored:
                response_id = stored[op[1] % len(stored)]
                if op[0] == "delete":
                    actions.delete_response(admin, response_id)
                    stored.remove(response_id)
                else:
                    actions.anonymise_response(admin, response_id)
        assert verify(org) == []
        kept = _rollup_state(org)
        assert sorted(kept[2]) == sorted(stored)
        rollups.rebuild(org, resegment=True)  # from scratch, segments from today's contacts
        assert _rollup_state(org) == kept
        transaction.set_rollback(True)
