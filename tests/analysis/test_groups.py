"""NPS/CSAT/CES by group through the API: each group's score and the tests between groups equal the
pure functions on the same answers, with the test's name and the multiple-comparison correction."""

import itertools

import pytest

from openxm.analytics import compare
from openxm.analytics.metrics import score
from openxm.surveys import collect

NPS_BY_CHANNEL = {
    "email": [10, 9, 9, 10, 8, 7, 3, 9, 10, 6, 9, 10],
    "sms": [5, 6, 7, 8, 3, 9, 2, 6, 10, 4],
    "wechat": [9, 9, 10, 10, 9, 8, 10, 9],
}


def _close(a, b):
    return a == pytest.approx(b, rel=1e-9, abs=1e-9)


def test_nps_by_channel_matches_the_pure_functions(org_a, published, record, make_key, api):
    survey = published(org_a, "relationship-nps")
    for channel, values in NPS_BY_CHANNEL.items():
        for value in values:
            record(org_a, survey, {"nps": value}, channel=channel)
    body = api(make_key(org_a, "viewer")).get(
        f"/analysis/surveys/{survey.pk}/metrics", data={"question": "nps", "by": "channel"}
    ).json()
    assert body["metric"] == "nps" and body["correction"] == "holm"
    everyone = score("nps", list(itertools.chain(*NPS_BY_CHANNEL.values())), min_n=5)
    assert body["overall"]["n"] == everyone.n and _close(body["overall"]["score"], everyone.score)
    assert _close(body["overall"]["ci_low"], everyone.ci_low)
    results = {g["key"]: g["score"] for g in body["groups"]}
    assert list(results) == ["email", "sms", "wechat"]  # largest group first
    pure = {c: score("nps", v, min_n=5) for c, v in NPS_BY_CHANNEL.items()}
    for channel, result in pure.items():
        assert _close(results[channel]["score"], result.score) and _close(results[channel]["se"], result.se)
    expected = compare.pairwise_nps(pure, method="holm")
    assert [tuple(c["groups"]) for c in body["pairwise"]] == [c.groups for c in expected]
    for got, want in zip(body["pairwise"], expected, strict=True):
        assert got["test"] == "NPS difference z"
        assert _close(got["p_value"], want.p_value) and _close(got["adjusted_p"], want.adjusted_p)
    assert body["omnibus"]["test"] == "chi-squared" and body["omnibus"]["effect_name"] == "Cramér's V"


def test_csat_by_unit_leaves_small_groups_out_and_corrects_with_bh(org_a, published, record, make_key, api):
    from openxm.accounts import services as accounts

    operator = accounts.operator_actor(org_a)
    for code in ("s1", "s2", "s3", "tiny"):
        accounts.create_unit(operator, code, f"Store {code}", "store")
    answers = {"s1": [5, 4, 4, 5, 3, 5, 4, 2], "s2": [2, 3, 4, 1, 3, 2, 5], "s3": [5, 5, 4, 4, 5, 5],
               "tiny": [1, 5]}
    survey = published(org_a, "transactional-csat")
    for unit, values in answers.items():
        for value in values:
            record(org_a, survey, {"csat": value}, unit=unit)
    response = api(make_key(org_a, "analyst")).get(
        f"/analysis/surveys/{survey.key}/metrics", data={"question": "csat", "by": "unit", "correction": "bh"}
    )
    body = response.json()
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["s1"]["label"] == "Store s1"
    assert groups["tiny"]["score"]["suppressed"] and groups["tiny"]["score"]["score"] is None
    assert groups["tiny"]["score"]["n"] == 2 and groups["tiny"]["score"]["counts"] == {}
    assert all("tiny" not in c["groups"] for c in body["pairwise"])
    assert any("fewer than 5" in note for note in body["notes"])

    def top(values):
        return sum(v >= 4 for v in values)

    pairs = list(itertools.combinations(["s1", "s2", "s3"], 2))
    raw = [compare.two_proportions(top(answers[a]), len(answers[a]), top(answers[b]), len(answers[b]),
                                   groups=(a, b)) for a, b in pairs]
    adjusted = compare.adjust_p_values([c.p_value for c in raw], "bh")
    assert [tuple(c["groups"]) for c in body["pairwise"]] == pairs
    for got, want, q in zip(body["pairwise"], raw, adjusted, strict=True):
        assert got["test"] == "two-proportion z" and got["effect_name"] == "Cohen's h"
        assert _close(got["difference"], want.difference) and _close(got["adjusted_p"], q)


def test_ces_by_contact_attribute_uses_welch_and_anova(org_a, published, make_key, api):
    survey = published(org_a, "support-ces")
    values = {"gold": [6, 7, 5, 6, 7, 6], "silver": [4, 5, 3, 5, 4, 6], "bronze": [2, 3, 4, 2, 3, 1]}
    n = 0
    for tier, answers in values.items():
        for value in answers:
            n += 1
            collect.record_response(org_a, survey, collect.Submission(
                answers={"ces": value, "resolved": "yes_fully"},
                contact=collect.ContactRef(f"c{n}", attributes={"tier": tier}),
            ))
    body = api(make_key(org_a, "viewer")).get(
        f"/analysis/surveys/{survey.pk}/metrics", data={"question": "ces", "by": "contact.tier"}
    ).json()
    assert {g["key"] for g in body["groups"]} == set(values)
    assert body["omnibus"]["test"] == "one-way ANOVA"
    expected = compare.one_way_anova(values)
    assert _close(body["omnibus"]["statistic"], expected.statistic)
    gold_bronze = next(c for c in body["pairwise"] if set(c["groups"]) == {"gold", "bronze"})
    want = compare.welch_t(values[gold_bronze["groups"][0]], values[gold_bronze["groups"][1]])
    assert gold_bronze["test"] == "Welch t" and _close(gold_bronze["p_value"], want.p_value)
    assert gold_bronze["adjusted_p"] >= gold_bronze["p_value"]


def test_without_a_grouping_only_the_overall_score(org_a, published, record, make_key, api):
    survey = published(org_a, "transactional-csat")
    for value in (5, 4, 2, 5, 5, 3):
        record(org_a, survey, {"csat": value, "parts": {"staff": value}})
    caller = api(make_key(org_a, "viewer"))
    body = caller.get(f"/analysis/surveys/{survey.pk}/metrics", data={"question": "csat"}).json()
    assert body["groups"] == [] and body["pairwise"] == [] and body["omnibus"] is None
    assert _close(body["overall"]["score"], score("csat", [5, 4, 2, 5, 5, 3]).score)
    # A matrix row is a rating too: say which metric it is read as.
    row = caller.get(f"/analysis/surveys/{survey.pk}/metrics",
                     data={"question": "parts.staff", "metric": "csat"})
    assert row.status_code == 200 and row.json()["overall"]["n"] == 6


@pytest.mark.parametrize(("params", "field"), [
    ({"question": "csat", "by": "weather"}, "by"),
    ({"question": "csat", "by": "contact.bad key"}, "by"),
    ({"question": "comment"}, "question"),
    ({"question": "parts.staff"}, "metric"),
    ({"question": "csat", "metric": "nps"}, "metric"),
    ({"question": "csat", "correction": "bonferroni"}, "correction"),
])
def test_bad_metric_requests_name_the_field(org_a, published, record, make_key, api, params, field):
    survey = published(org_a, "transactional-csat")
    record(org_a, survey, {"csat": 4})
    response = api(make_key(org_a, "viewer")).get(f"/analysis/surveys/{survey.pk}/metrics", data=params)
    assert response.status_code == 422 and response.json()["field"] == field
