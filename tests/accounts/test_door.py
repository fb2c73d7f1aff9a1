"""The one door: a Slice selects the same responses whichever reader applies it, inside the
scope, and a scope without personal-data rights cannot use a Slice to find a person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.scope import organization_scope
from openxm.comments.queries import COLUMNS, analyses
from openxm.surveys import door
from openxm.surveys.door import Slice


def _ids(qs):
    return sorted(qs.values_list("response_id" if qs.model.__name__ != "Response" else "pk", flat=True))


@pytest.fixture
def whole(world):
    return organization_scope(world["org"])


@pytest.fixture
def limited(world):
    accounts.bootstrap_user("door@example.com", "correct-horse-battery-staple")
    m = accounts.set_member(accounts.operator_actor(world["org"]), "door@example.com", "analyst", unit="s-in")
    return accounts.actor_for_user(m.user, world["org"], via="web").scope


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, ["inside", "outside"]),
        ({"unit": "s-in"}, ["inside"]),
        ({"unit": "east"}, ["inside", "outside"]),
        ({"touchpoints": ("web.visit",)}, ["inside", "outside"]),
        ({"touchpoints": ("nowhere",)}, []),
        ({"channel": "email"}, ["inside", "outside"]),
        ({"channel": "sms"}, []),
        ({"status": "complete"}, ["inside", "outside"]),
        ({"status": "partial"}, []),
        ({"segment": (("first_name", "InezFirst"),)}, ["inside"]),
        ({"segment": (("id", "c-out"),)}, ["outside"]),
        ({"text": "OUTSIDE-MARK"}, ["outside"]),
        ({"since": timezone.now() - timedelta(days=1)}, []),
        ({"until": timezone.now() - timedelta(days=1)}, ["inside", "outside"]),
    ],
)
def test_a_slice_selects_the_same_responses_answers_and_comments(world, whole, fields, expected):
    piece = Slice(**fields)
    want = sorted(world[name].pk for name in expected)
    assert _ids(door.responses(whole, piece)) == want
    assert sorted(set(_ids(door.answers(whole, piece)))) == want
    if not ({"segment", "text", "channel", "status"} & set(fields)):  # not columns of the analyses
        assert _ids(analyses(whole, piece)) == want


def test_the_scope_bounds_every_slice(world, limited):
    inside = [world["inside"].pk]
    assert _ids(door.responses(limited)) == inside
    assert sorted(set(_ids(door.answers(limited)))) == inside
    assert _ids(analyses(limited)) == inside
    for unit in ("s-out", "east", "nowhere"):
        with pytest.raises(NotFound):
            door.responses(limited, Slice(unit=unit))
        with pytest.raises(NotFound):
            door.slice_q(limited, Slice(unit=unit), COLUMNS)


def test_without_pii_a_slice_cannot_find_a_person(world, limited):
    for segment in ((("email", "inez@example.com"),), (("first_name", "InezFirst"),), (("name", "x"),)):
        with pytest.raises(InvalidInput):
            door.responses(limited, Slice(segment=segment))
    with pytest.raises(InvalidInput) as err:
        door.answers(limited, Slice(text="call me on 13812345678"))
    assert err.value.field == "q"
    assert _ids(door.responses(limited, Slice(segment=(("id", "c-in"),)))) == [world["inside"].pk]
    assert _ids(door.responses(limited, Slice(text="INSIDE-MARK"))) == [world["inside"].pk]


def test_a_table_that_cannot_answer_a_slice_field_refuses_it(whole):
    with pytest.raises(ValueError):
        door.slice_q(whole, Slice(channel="email"), COLUMNS)
    with pytest.raises(ValueError):
        door.slice_q(whole, Slice(segment=(("tier", "gold"),)), COLUMNS)


def test_days_are_whole_days_in_the_organizations_zone(world):
    org = world["org"]
    org.time_zone = "Asia/Shanghai"
    today = timezone.localdate()
    piece = Slice.days(org, today, today)
    assert piece.since.utcoffset() == timedelta(hours=8)
    assert piece.until - piece.since == timedelta(days=1)
    assert piece.previous().until == piece.since
