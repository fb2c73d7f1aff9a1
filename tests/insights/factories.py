"""Test data for insights: a journey, a survey measuring it, and responses with known answers."""

import random
from datetime import UTC, datetime, timedelta

from openxm.accounts import services as accounts
from openxm.journeys import services as journeys
from openxm.surveys import collect
from openxm.surveys import services as surveys

DEFINITION = {
    "schema_version": 1,
    "key": "tp-pulse",
    "version": 1,
    "title": {"en": "Touchpoint pulse"},
    "languages": ["en"],
    "default_language": "en",
    "audience": "customer",
    "touchpoint": "web.visit",
    "pages": [
        {
            "id": "p1",
            "questions": [
                {"id": "nps", "type": "nps", "text": {"en": "Recommend?"}},
                {"id": "csat", "type": "csat", "text": {"en": "Satisfied?"}, "scale": {"min": 1, "max": 5}},
                {
                    "id": "ces",
                    "type": "ces",
                    "text": {"en": "Easy?"},
                    "scale": {"min": 1, "max": 7},
                    "touchpoint": "support.chat",
                    "cx_dimension": "responsiveness",
                },
                {
                    "id": "speed",
                    "type": "rating",
                    "text": {"en": "Speed?"},
                    "scale": {"min": 1, "max": 5},
                    "cx_dimension": "responsiveness",
                },
                {"id": "comment", "type": "text", "text": {"en": "Why?"}},
            ],
        }
    ],
}

JOURNEY = {
    "key": "buy-online",
    "name": "Buy online",
    "stages": [
        {
            "key": "aware",
            "name": "Aware",
            "touchpoints": [
                {
                    "key": "web.visit",
                    "name": "Website visit",
                    "channel": "web",
                    "targets": {"nps": 30, "csat": 85},
                }
            ],
        },
        {
            "key": "get-help",
            "name": "Get help",
            "touchpoints": [
                {"key": "support.chat", "name": "Live chat", "channel": "chat", "targets": {"ces": 5.5}}
            ],
        },
    ],
}

CHANNELS = ["email", "sms", "app"]
TIERS = ["gold", "silver", "bronze"]
KINDS = ["customer", "employee"]


def analyst(org, make_member):
    return accounts.actor_for_user(make_member(org, "analyst"), org, via="web")


def setup_org(org, make_member, definition=None, journey=None):
    actor = analyst(org, make_member)
    survey = surveys.create_survey(actor, definition or DEFINITION)
    surveys.publish_survey(actor, survey.pk)
    journeys.import_journey(actor, journey or JOURNEY)
    for code, kind, parent in [("east", "region", ""), ("sh-1", "store", "east"), ("sh-2", "store", "east")]:
        accounts.create_unit(accounts.operator_actor(org), code, code, kind, parent)
    return actor, surveys.get_survey(actor, survey.pk)


def record(
    org,
    survey,
    *,
    when,
    answers,
    channel="email",
    unit="",
    tier=None,
    kind="customer",
    weight=1.0,
    contact="c1",
    key=None,
):
    attributes = {"tier": tier} if tier else {}
    return collect.record_response(
        org,
        survey,
        collect.Submission(
            answers=answers,
            idempotency_key=key or "",
            channel=channel,
            unit=unit,
            contact=collect.ContactRef(contact, {"kind": kind}, attributes),
            completed_at=when,
            started_at=when - timedelta(minutes=3),
            weight=weight,
        ),
    ).response


def random_responses(org, survey, n, seed=7, weighted=False, start=None, days=120):
    rng = random.Random(seed)
    start = start or datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for _ in range(n):
        answers = {}
        if rng.random() < 0.9:
            answers["nps"] = rng.randint(0, 10)
        if rng.random() < 0.8:
            answers["csat"] = rng.randint(1, 5)
        if rng.random() < 0.7:
            answers["ces"] = rng.randint(1, 7)
        if rng.random() < 0.6:
            answers["speed"] = rng.randint(1, 5)
        if rng.random() < 0.3:
            answers["comment"] = rng.choice(["slow delivery", "great staff", "很好", "app crashed"])
        if not answers:
            answers["nps"] = 8
        when = start + timedelta(
            days=rng.randint(0, days - 1), hours=rng.randint(0, 23), minutes=rng.randint(0, 59)
        )
        out.append(
            record(
                org,
                survey,
                when=when,
                answers=answers,
                channel=rng.choice(CHANNELS),
                unit=rng.choice(["", "sh-1", "sh-2"]),
                tier=rng.choice(TIERS + [None]),
                kind=rng.choice(KINDS),
                weight=rng.choice([0.5, 1.0, 2.0]) if weighted else 1.0,
                contact=f"c{rng.randint(1, 40)}",
            )
        )
    return out
