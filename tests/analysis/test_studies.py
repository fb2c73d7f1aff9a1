"""A study computed from stored Answer rows equals the pure function on the same plain data."""

import numpy as np
import pytest

from openxm.accounts.errors import InvalidInput, NotFound
from openxm.analysis import present, services
from openxm.analysis.data import Filters
from openxm.analytics.drivers import key_drivers
from openxm.analytics.ipa import ipa
from openxm.analytics.kano import analyze_feature
from openxm.analytics.servqual import ServqualItem, servqual
from tests.analysis.conftest import small_servqual_document

HYPHEN = {"must_be": "must-be", "live_with": "live-with"}

# One row per respondent: (live_tracking answer pair + importance, or None when not answered;
# contactless answer pair + importance).
KANO_ROWS = [
    (("like", "dislike", 5), ("like", "neutral", 4)),
    (("like", "dislike", 4), ("like", "must_be", 3)),
    (("must_be", "dislike", 5), ("neutral", "neutral", 2)),
    (("like", "like", 3), ("like", "live_with", 5)),
    (("neutral", "dislike", 4), None),
    (("dislike", "like", 1), ("like", "neutral", 4)),
    (("like", "dislike", 5), ("live_with", "live_with", 2)),
    (("like", "neutral", 3), ("must_be", "must_be", 3)),
]


@pytest.mark.parametrize("table", ["berger", "pouliot"])
def test_kano_study_equals_analyze_feature_on_the_same_answers(org_a, published, record, actor_for, table):
    survey = published(org_a, "kano-feature-study")
    for tracking, contactless in KANO_ROWS:
        answers = {"frequency": "weekly"}
        for qid, row in (("live_tracking", tracking), ("contactless", contactless)):
            if row is not None:
                answers[qid] = {"functional": row[0], "dysfunctional": row[1], "importance": row[2]}
        record(org_a, survey, answers)
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.pk, kind="kano", title="Features",
                                  config={"features": ["live_tracking", "contactless"], "table": table})
    run = services.run_study(analyst, study.pk)

    expected = []
    for i, qid in enumerate(["live_tracking", "contactless"]):
        rows = [r[i] for r in KANO_ROWS if r[i] is not None]
        expected.append(analyze_feature(
            qid, [HYPHEN.get(r[0], r[0]) for r in rows], [HYPHEN.get(r[1], r[1]) for r in rows],
            table=table, importance=[r[2] for r in rows],
        ))
    assert run.result == tuple(expected)
    assert run.respondents == len(KANO_ROWS)
    assert run.labels["live_tracking"] == "Real-time courier tracking on a map"
    tracking = present.present(run)["result"]["features"][0]
    assert tracking["category"] == "O" and tracking["n"] == 8 and not tracking["suppressed"]


def _servqual_answers(rng, items):
    answers = {}
    for qid, dimension in items:
        e = int(rng.integers(5, 8))
        shift = -2 if dimension == "responsiveness" else 0
        answers[qid] = {"expectation": e, "perception": int(np.clip(e + shift + rng.integers(-1, 2), 1, 7))}
    points = rng.multinomial(100, [0.1, 0.3, 0.25, 0.2, 0.15])
    answers["importance"] = dict(zip(["tangibles", "reliability", "responsiveness", "assurance", "empathy"],
                                     (int(p) for p in points), strict=True))
    return answers


def test_servqual_study_equals_servqual_on_the_same_answers(org_a, published, record, actor_for):
    survey = published(org_a, small_servqual_document())
    definition = survey.current_version.definition
    items = [(q["id"], q["dimension"]) for p in definition["pages"] for q in p["questions"]
             if q["type"] == "servqual"]
    rng = np.random.default_rng(7)
    submitted = [_servqual_answers(rng, items) for _ in range(12)]
    for answers in submitted:
        record(org_a, survey, answers)
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.pk, kind="servqual", title="Gaps", config={})
    assert study.config == {"items": [i for i, _ in items], "importance": "importance"}
    run = services.run_study(analyst, study.pk)

    # The study analyses two of the five dimensions, so each allocation is scaled to 100 over them.
    used = ["tangibles", "responsiveness"]
    totals = [sum(a["importance"][d] for d in used) for a in submitted]
    expected = servqual(
        [ServqualItem(qid, dim, [a[qid]["expectation"] for a in submitted],
                      [a[qid]["perception"] for a in submitted]) for qid, dim in items],
        importance={d: [a["importance"][d] * 100 / t for a, t in zip(submitted, totals, strict=True)]
                    for d in used},
    )
    assert run.result == expected
    gaps = {d.name: d.gap for d in run.result.dimensions}
    assert gaps["responsiveness"] < gaps["tangibles"]
    shown = present.present(run)["result"]
    assert shown["largest_gap"]["dimension"] == "responsiveness"
    assert [d["label"] for d in shown["dimensions"]] == ["Tangibles", "Responsiveness"]


def _csat_rows(n, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        parts = {p: int(rng.integers(1, 6)) for p in ("availability", "checkout", "staff", "fulfilment")}
        if rng.random() < 0.15:
            parts.pop("staff")
        latent = 0.7 * parts["availability"] + 0.3 * parts["fulfilment"] + rng.normal(0, 0.6)
        csat = int(np.clip(round(latent), 1, 5))
        rows.append({"csat": csat, "parts": parts})
    return rows


PARTS = ["parts.availability", "parts.checkout", "parts.staff", "parts.fulfilment"]


def _column(rows, ref):
    if ref == "csat":
        return [r["csat"] for r in rows]
    return [r["parts"].get(ref.split(".")[1]) for r in rows]


@pytest.mark.parametrize("method", ["relative-weights", "shapley"])
def test_driver_study_equals_key_drivers_on_the_same_answers(org_a, published, record, actor_for, method):
    survey = published(org_a, "transactional-csat")
    rows = _csat_rows(40)
    for answers in rows:
        record(org_a, survey, answers)
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.pk, kind="drivers", title="Drivers",
                                  config={"outcome": "csat", "drivers": PARTS, "method": method,
                                          "bootstrap": 30})
    run = services.run_study(analyst, study.pk)
    expected = key_drivers(_column(rows, "csat"), {p: _column(rows, p) for p in PARTS}, outcome_name="csat",
                           method=method, bootstrap=30, seed=0)
    assert run.result == expected
    assert run.result.dropped == sum("staff" not in r["parts"] for r in rows)
    shown = present.present(run)["result"]
    assert shown["weights"][0]["driver"] == "parts.availability"
    assert shown["weights"][0]["label"] == "Finding the products I wanted"
    assert len(shown["correlations"]) == 5


def test_ipa_study_equals_ipa_on_the_same_answers(org_a, published, record, actor_for):
    survey = published(org_a, "transactional-csat")
    rows = _csat_rows(30, seed=11)
    for answers in rows:
        record(org_a, survey, answers)
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.pk, kind="ipa", title="IPA",
                                  config={"attributes": PARTS, "outcome": "csat"})
    run = services.run_study(analyst, study.pk)
    assert run.result == ipa({p: _column(rows, p) for p in PARTS}, outcome=_column(rows, "csat"))
    actions = {a["attribute"]: a["action_label"] for a in present.present(run)["result"]["attributes"]}
    assert set(actions.values()) <= {"Concentrate here", "Keep up the good work", "Low priority",
                                     "Possible overkill"}


def test_filters_select_period_channel_and_unit_with_the_units_below_it(org_a, published, record, actor_for):
    from openxm.accounts import services as accounts

    operator = accounts.operator_actor(org_a)
    accounts.create_unit(operator, "east", "East", "region")
    accounts.create_unit(operator, "s1", "Store 1", "store", "east")
    accounts.create_unit(operator, "s2", "Store 2", "store")
    survey = published(org_a, "kano-feature-study")
    pair = {"functional": "like", "dysfunctional": "dislike"}
    plan = [  # (days ago, channel, unit)
        (2, "sms", "s1"), (3, "sms", "s1"), (4, "email", "s2"), (40, "sms", "east"), (41, "email", "s2"),
    ]
    for days, channel, unit in plan:
        record(org_a, survey, {"frequency": "weekly", "live_tracking": pair}, days_ago=days, channel=channel,
               unit=unit)
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.pk, kind="kano", title="K",
                                  config={"features": ["live_tracking"]})
    from django.utils import timezone

    today = timezone.localdate()
    cases = [
        (Filters(), 5),
        (Filters(channel="sms"), 3),
        (Filters(unit="east"), 3),
        (Filters(unit="s1"), 2),
        (Filters(date_from=today - timezone.timedelta(days=10)), 3),
        (Filters(date_to=today - timezone.timedelta(days=10), channel="email"), 1),
    ]
    for filters, n in cases:
        run = services.run_study(analyst, study.pk, filters)
        assert (run.respondents, run.result[0].n) == (n, n), filters
    # An unknown unit is "not found", as a unit outside the member's scope is (nothing to tell apart).
    with pytest.raises(NotFound) as err:
        services.run_study(analyst, study.pk, Filters(unit="nowhere"))
    assert err.value.what == "unit"


def test_figures_below_the_minimum_sample_are_suppressed(org_a, published, record, actor_for):
    org_a.min_sample_size = 5
    org_a.save()
    survey = published(org_a, "kano-feature-study")
    for i in range(6):
        answers = {"frequency": "weekly", "live_tracking": {"functional": "like", "dysfunctional": "dislike"}}
        if i < 3:
            answers["contactless"] = {"functional": "like", "dysfunctional": "neutral"}
        record(org_a, survey, answers)
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.pk, kind="kano", title="K",
                                  config={"features": ["live_tracking", "contactless"]})
    features = present.present(services.run_study(analyst, study.pk))["result"]["features"]
    shown, hidden = features
    assert shown["n"] == 6 and shown["category"] == "O" and not shown["suppressed"]
    assert hidden["n"] == 3 and hidden["suppressed"]
    assert hidden["category"] is None and hidden["counts"] is None and hidden["better"] is None


def test_drivers_below_the_minimum_sample_hide_weights_and_correlations(org_a, published, record, actor_for):
    org_a.min_sample_size = 50
    org_a.save()
    survey = published(org_a, "transactional-csat")
    for answers in _csat_rows(12):
        record(org_a, survey, answers)
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.pk, kind="drivers", title="D",
                                  config={"outcome": "csat", "drivers": PARTS, "bootstrap": 0})
    shown = present.present(services.run_study(analyst, study.pk))["result"]
    assert shown["suppressed"] and shown["r_squared"] is None and shown["correlations"] is None
    assert all(w["weight"] is None and w["percent"] is None for w in shown["weights"])


def test_a_study_without_enough_answers_reports_the_problem(org_a, published, record, actor_for):
    survey = published(org_a, "transactional-csat")
    parts = {"availability": 4, "checkout": 3, "staff": 5, "fulfilment": 4}
    record(org_a, survey, {"csat": 4, "parts": parts})
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.pk, kind="drivers", title="D",
                                  config={"outcome": "csat", "drivers": PARTS})
    run = services.run_study(analyst, study.pk)
    assert run.result is None and "too few" in run.problem
    assert present.present(run)["result"] is None


@pytest.mark.parametrize(("kind", "config", "field"), [
    ("kano", {"features": ["nope"]}, "features"),
    ("kano", {"table": "other"}, "table"),
    ("kano", {"features": ["live_tracking", "live_tracking"]}, "features"),
    ("drivers", {"drivers": PARTS}, "outcome"),
    ("drivers", {"outcome": "csat", "drivers": ["parts.availability"]}, "drivers"),
    ("drivers", {"outcome": "csat", "drivers": ["csat", "parts.staff"]}, "drivers"),
    ("drivers", {"outcome": "csat", "drivers": PARTS, "bootstrap": 99999}, "bootstrap"),
    ("ipa", {"attributes": PARTS}, "outcome"),
    ("ipa", {"attributes": PARTS, "outcome": "comment"}, "outcome"),
    ("servqual", {}, "items"),
    ("nonsense", {}, "kind"),
])
def test_bad_configurations_are_rejected_naming_the_field(org_a, published, actor_for, kind, config, field):
    from openxm.analysis.models import Study

    survey = published(org_a, "kano-feature-study" if kind == "kano" else "transactional-csat")
    with pytest.raises(InvalidInput) as err:
        services.create_study(actor_for(org_a), survey=survey.pk, kind=kind, title="x", config=config)
    assert err.value.field == field
    assert Study.objects.for_org(org_a).count() == 0


def test_creating_and_deleting_a_study_is_audited(org_a, published, actor_for):
    from openxm.accounts.models import AuditEvent

    survey = published(org_a, "kano-feature-study")
    analyst = actor_for(org_a)
    study = services.create_study(analyst, survey=survey.key, kind="kano", title="  K  ")
    assert study.title == "K" and study.config["features"][0] == "live_tracking"
    services.delete_study(analyst, study.pk)
    events = AuditEvent.objects.for_org(org_a).filter(target_type="study")
    actions = list(events.values_list("action", flat=True))
    assert sorted(actions) == ["study.created", "study.deleted"]
