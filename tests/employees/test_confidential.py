"""Employee results through the API: confidential by construction, and the linear-system attack.

Ground truth (which response is in which unit, band and wave) is known to the test; every figure
the API releases is turned into a row of a linear system over the respondents' promoter and
detractor indicators, and no respondent's indicator may lie in the row space."""

import csv
import io
import itertools
from datetime import UTC, datetime

import numpy as np
import pytest

from openxm.accounts import services as accounts
from openxm.surveys import services as surveys
from openxm.surveys.models import Response

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
APRIL = datetime(2026, 4, 10, 9, 30, tzinfo=UTC)
ITEMS = ("clarity", "resources", "manager_care", "recognition", "growth", "intent_to_stay")


@pytest.fixture
def setup(make_org, make_key, api):
    org = make_org("staff")
    owner = accounts.operator_actor(org)
    survey = surveys.create_from_template(owner, "enps-pulse", key="pulse")
    surveys.publish_survey(owner, survey.pk)
    key = make_key(org, "admin")
    return org, owner, api(key)


def submit(caller, unit, score, i, when=MARCH, tenure=2, comment="", age=33, level=None):
    answers = {"enps": score, "engagement": dict.fromkeys(ITEMS, 4)}
    if comment:
        answers["one_change"] = comment
    body = {
        "answers": answers,
        "idempotency_key": f"{unit}-{i}-{when:%m}",
        "contact": {"id": f"emp-{unit}-{i}", "name": f"Person {i}", "email": f"p{i}@{unit}.example",
                    "attributes": {"tenure": tenure, "age": age, **({"level": level} if level else {})}},
        "unit": unit,
        "completed_at": when.isoformat(),
    }
    r = caller.post("/surveys/pulse/responses", body)
    assert r.status_code == 201, r.content
    return r.json()["responses"][0]["id"]


def test_stored_response_carries_no_person(setup):
    org, owner, caller = setup
    accounts.create_unit(owner, "d1", "Dept 1", "department")
    rid = submit(caller, "d1", 9, 1, tenure=7.5)
    response = Response.objects.for_org(org).get(pk=rid)
    assert response.contact_id is None
    assert response.hidden == {}
    assert "d1-1" not in response.idempotency_key
    assert response.completed_at == MARCH.replace(hour=0, minute=0)
    assert response.meta["groups"] == {"tenure": "5y+", "age": "30-44"}
    # no row reader can see it: not listed, not opened, not exported
    assert caller.get(f"/responses/{rid}").status_code == 404
    listed = caller.get("/responses").json()
    assert rid not in [row["id"] for row in listed.get("responses", listed.get("items", []))]


def test_the_issue_10_and_4(setup):
    """10 eNPS responses in one department, 4 in another: no call gives the 4's eNPS."""
    org, owner, caller = setup
    accounts.create_unit(owner, "big", "Big", "department")
    accounts.create_unit(owner, "small", "Small", "department")
    for i in range(10):
        submit(caller, "big", 10 if i < 6 else 5, i)
    for i in range(4):
        submit(caller, "small", 0, i)
    figures = []
    for unit, by in itertools.product(["", "big", "small"], ["", "tenure", "age"]):
        r = caller.get(f"/employees/surveys/pulse/results?unit={unit}&by={by}")
        assert r.status_code == 200, r.content
        body = r.json()
        figures += [body["total"], *body["rows"]]
    for unit in ["", "big", "small"]:
        figures += [t["figure"] for t in caller.get(f"/employees/surveys/pulse/trend?unit={unit}").json()]
    shown = {(f["unit"], f["band"]) for f in figures if f["n"] is not None}
    # both departments hidden (the 4 as small, the 10 as its complement); the total shows
    assert ("small", "") not in shown and ("big", "") not in shown
    assert ("", "") in shown
    total = next(f for f in figures if f["unit"] == "" and f["band"] == "" and f["n"] is not None)
    assert total["n"] == 14
    export = list(csv.DictReader(io.StringIO(caller.get("/employees/surveys/pulse/export").content.decode())))
    assert all(row["n"] == "" for row in export if row["unit"] in ("big", "small"))
    # the general metrics count no employee response at all (the eNPS item is an nps question)
    for metric, by in itertools.product(["enps", "nps"], ["", "unit"]):
        r = caller.get(f"/insights/metrics?metric={metric}&by={by}&start=2026-03-01&end=2026-03-31")
        assert r.status_code == 200, r.content
        assert all(f["current"]["n"] == 0 for f in r.json()["figures"]), (metric, by)


def _released_rows(caller, units, bys, waves):
    out = []
    for wave, unit, by in itertools.product(waves, units, bys):
        body = caller.get(f"/employees/surveys/pulse/results?wave={wave}&unit={unit}&by={by}").json()
        for f in [body["total"], *body["rows"]]:
            if f["n"] is not None:
                out.append((wave, f["unit"], f["band"], f))
    for unit in units:
        for t in caller.get(f"/employees/surveys/pulse/trend?unit={unit}").json():
            if t["figure"]["n"] is not None:
                out.append((t["wave"], t["figure"]["unit"], "", t["figure"]))
    return out


def test_linear_system_attack(setup):
    """Groups of 1–10 in a two-level hierarchy, two waves, and every breakdown the API offers
    over attributes the respondents have (two tenure bands, two age bands, two levels): every
    released count and promoter share is a linear equation; no respondent is determined."""
    org, owner, caller = setup
    accounts.create_unit(owner, "north", "North", "region")
    accounts.create_unit(owner, "south", "South", "region")
    rng = np.random.default_rng(16)
    truth = []  # (wave, unit, region, the respondent's bands as "by=band", score)
    stores = []
    for size in range(1, 11):
        region = "north" if size % 2 else "south"
        code = f"s{size}"
        accounts.create_unit(owner, code, f"Store {size}", "store", parent=region)
        stores.append((code, region, size))
    for wave, when in (("2026-03", MARCH), ("2026-04", APRIL)):
        for code, region, size in stores:
            n = size if wave == "2026-03" else max(1, 11 - size)
            for i in range(n):
                score = int(rng.integers(0, 11))
                tenure = 0.5 if rng.random() < 0.5 else 4
                age = 26 if rng.random() < 0.5 else 50
                level = "staff" if rng.random() < 0.6 else "lead"
                submit(caller, code, score, i, when=when, tenure=tenure, age=age, level=level)
                bands = {
                    f"tenure={'<1y' if tenure < 1 else '3-5y'}", f"age={'<30' if age < 30 else '45+'}",
                    f"level={level}",
                }
                truth.append((wave, code, region, bands, score))
    units = ["", "north", "south", *[c for c, _r, _s in stores]]
    released = _released_rows(caller, units, ["", "tenure", "age", "level"], ["2026-03", "2026-04"])
    assert released, "something must be shown"
    assert {band.split("=")[0] for _w, _u, band, _f in released if band} == {"tenure", "age", "level"}
    rows = []
    for wave, unit, band, figure in released:
        members = [
            j for j, (w, code, region, bands, _s) in enumerate(truth)
            if w == wave and unit in ("", code, region) and (not band or band in bands)
        ]
        assert figure["n"] == len(members), (wave, unit, band)
        assert len(members) >= 5
        vector = np.zeros(len(truth))
        vector[members] = 1
        rows.append(vector)
        promoters = sum(1 for j in members if truth[j][4] >= 9)
        assert figure["promoters"] == pytest.approx(round(100 * promoters / len(members), 1))
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    for j in range(len(truth)):
        unit_vector = np.zeros(len(truth))
        unit_vector[j] = 1
        assert np.linalg.matrix_rank(np.vstack([matrix, unit_vector])) == rank + 1, f"respondent {truth[j]}"


def test_thresholds_owner_only_and_floor(setup, make_key, api):
    org, owner, caller = setup
    assert caller.put("/employees/thresholds", {"min_group": 6, "min_comments": 8}).status_code == 403
    owner_key = make_key(org, "owner")
    as_owner = api(owner_key)
    r = as_owner.put("/employees/thresholds", {"min_group": 2, "min_comments": 8})
    assert r.status_code == 422 and r.json()["field"] == "min_group"
    assert as_owner.put("/employees/thresholds", {"min_group": 7, "min_comments": 9}).status_code == 200
    r = as_owner.put("/employees/thresholds", {"min_group": 6, "min_comments": 9, "survey": "pulse"})
    assert r.status_code == 422 and r.json()["field"] == "min_group"
    stricter = {"min_group": 9, "min_comments": 9, "survey": "pulse"}
    assert as_owner.put("/employees/thresholds", stricter).json() == stricter
    assert caller.get("/employees/surveys/pulse/results").json()["min_group"] == 9


def test_comments_need_their_own_threshold(setup):
    org, owner, caller = setup
    accounts.create_unit(owner, "d", "D", "department")
    for i in range(7):
        submit(caller, "d", 8, i, comment=f"idea {i}")
    body = caller.get("/employees/surveys/pulse/comments?unit=d").json()
    assert body == {"min_comments": 8, "suppressed": True, "comments": [], "themes": None}
    submit(caller, "d", 8, 7, comment="idea 7")
    body = caller.get("/employees/surveys/pulse/comments?unit=d").json()
    assert body["suppressed"] is False and body["comments"] == sorted(f"idea {i}" for i in range(8))


def test_only_the_employees_app_reads_confidential_answers():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "openxm"
    users = sorted(
        str(p.relative_to(root)) for p in root.rglob("*.py")
        if "confidential_answers" in p.read_text(encoding="utf-8")
    )
    assert users == ["employees/matrix.py", "employees/results.py", "surveys/door.py"]


def test_internal_customer_matrix_suppresses_per_cell(make_org, make_key, api):
    org = make_org("depts")
    owner = accounts.operator_actor(org)
    for code in ("it", "hr", "sales", "ops", "finance"):
        accounts.create_unit(owner, code, code.upper(), "department")
    survey = surveys.create_from_template(owner, "internal-service-matrix", key="svc")
    surveys.publish_survey(owner, survey.pk)
    caller = api(make_key(org, "analyst"))
    plan_ = {"sales": 7, "ops": 6, "finance": 2}  # requester -> respondents; each rates it and hr
    i = 0
    for requester, n in plan_.items():
        for _ in range(n):
            i += 1
            body = {"answers": {"dealt_with": ["it", "hr"], "service_it": 5 if i % 2 else 3, "service_hr": 4},
                    "unit": requester, "idempotency_key": f"k{i}", "completed_at": MARCH.isoformat()}
            assert caller.post("/surveys/svc/responses", body).status_code == 201
    m = caller.get("/employees/surveys/svc/matrix").json()
    cells = {(c["provider"], c["requester"]): c for c in m["cells"]}
    assert m["providers"] == ["hr", "it"] and m["requesters"] == ["finance", "ops", "sales"]
    # finance (2) small, ops (6) its complement, sales (7) and the row total (15) shown
    for provider in ("it", "hr"):
        assert cells[(provider, "finance")]["suppressed"] == "small"
        assert cells[(provider, "ops")]["suppressed"] == "complementary"
        assert cells[(provider, "sales")]["n"] == 7
        assert cells[(provider, "")]["n"] == 15
    sales_it = cells[("it", "sales")]
    assert sales_it["top2"] == pytest.approx(100 * 4 / 7, abs=0.1)  # i = 1..7: odd ones gave 5
    assert sales_it["ci_low"] < sales_it["top2"] < sales_it["ci_high"]


def test_comment_themes_only_where_the_comments_show(setup):
    """Sentiment and topics of employee comments come with the comments (same threshold, same
    plan) and never through the general text-analytics readers."""
    from openxm.comments import engine, queries

    org, owner, caller = setup
    accounts.create_unit(owner, "d", "D", "department")
    texts = [f"The staff were rude to me, day {i}" for i in range(5)] + [
        f"Great colleagues and a helpful team, week {i}" for i in range(3)
    ]
    ids = [submit(caller, "d", 8, i, comment=text) for i, text in enumerate(texts[:7])]
    engine.analyse_responses(org, ids)
    body = caller.get("/employees/surveys/pulse/comments?unit=d").json()
    assert body["suppressed"] is True and body["themes"] is None
    ids.append(submit(caller, "d", 8, 7, comment=texts[7]))
    engine.analyse_responses(org, ids)
    themes = caller.get("/employees/surveys/pulse/comments?unit=d").json()["themes"]
    assert themes["analysed"] == 8
    assert themes["positive"] + themes["neutral"] + themes["negative"] == 8 and themes["negative"] >= 5
    staff = next(t for t in themes["topics"] if t["topic"].startswith("staff"))
    assert staff["count"] >= 5 and staff["mean_sentiment"] < 0
    # The analyses exist, yet no general reader counts them.
    assert queries.analyses(owner.scope).count() == 0


def test_the_survey_page_counts_responses_from_the_smallest_group_on(setup, make_member, client):
    from openxm.surveys.overview import read_response_overview

    org, owner, caller = setup
    accounts.create_unit(owner, "d", "D", "department")
    survey = surveys.get_survey(owner, "pulse")
    for i in range(4):
        submit(caller, "d", 8, i)
    below = read_response_overview(owner, survey_id=survey.pk, latest=5)
    assert (below.complete, below.min_group, below.latest) == (None, 5, ())
    client.force_login(make_member(org, "analyst"))
    page = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "fewer than 5 complete responses" in page and "0 complete responses" not in page
    submit(caller, "d", 8, 4)
    assert read_response_overview(owner, survey_id=survey.pk).complete == 5
    assert "5 complete responses" in client.get(f"/surveys/{survey.pk}/").content.decode()
