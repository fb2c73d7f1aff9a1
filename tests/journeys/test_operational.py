"""Operational metrics (O-data): periods, rates from counts, CSV import all or nothing, API, CLI."""

from datetime import date

import pytest

from openxm.accounts import services as accounts
from openxm.accounts.errors import InvalidInput
from openxm.journeys import operational, services

pytestmark = pytest.mark.django_db

JOURNEY = {
    "key": "support",
    "name": "Support",
    "stages": [
        {
            "key": "reach",
            "name": "Reach",
            "touchpoints": [
                {"key": "support.chat", "name": "Live chat"},
                {"key": "relationship", "name": "Relationship"},
            ],
        }
    ],
}


@pytest.fixture
def analyst(org_a, make_member):
    actor = accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")
    services.import_journey(actor, JOURNEY)
    return actor


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025-03", date(2025, 3, 1), date(2025, 3, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
        ("2025-W10", date(2025, 3, 3), date(2025, 3, 9)),
        ("2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
        ("2025-03-14", date(2025, 3, 14), date(2025, 3, 14)),
    ],
)
def test_periods(text, start, end):
    assert operational.parse_period(text) == (start, end)


@pytest.mark.parametrize("text", ["2025-13", "2025-W60", "2025-Q5", "March", ""])
def test_bad_periods(text):
    with pytest.raises(ValueError):
        operational.parse_period(text)


def test_rates_from_counts_and_replacing_a_period(analyst):
    rows = [
        {
            "touchpoint": "relationship",
            "metric": "churn_rate",
            "period": "2025-03",
            "numerator": 30,
            "denominator": 1000,
        },
        {
            "touchpoint": "support.chat",
            "metric": "aht",
            "period_start": "2025-03-01",
            "period_end": "2025-03-31",
            "value": "412",
        },
    ]
    assert operational.record_operational(analyst, rows) == 2
    stored = {r.metric: r for r in operational.list_operational(analyst)}
    assert stored["churn_rate"].value == pytest.approx(3.0) and stored["churn_rate"].denominator == 1000
    operational.record_operational(analyst, [{**rows[1], "value": 400}])
    assert [r.value for r in operational.list_operational(analyst, ["support.chat"])] == [400]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"touchpoint": "nowhere", "metric": "aht", "period": "2025-03", "value": 1}, "rows[0].touchpoint"),
        ({"touchpoint": "support.chat", "metric": "nps", "period": "2025-03", "value": 1}, "rows[0].metric"),
        ({"touchpoint": "support.chat", "metric": "fcr", "period": "2025-03", "value": 130}, "rows[0].value"),
        (
            {"touchpoint": "support.chat", "metric": "fcr", "period": "2025-03", "numerator": 5},
            "rows[0].value",
        ),
        (
            {
                "touchpoint": "support.chat",
                "metric": "fcr",
                "period": "2025-03",
                "numerator": 5,
                "denominator": 4,
            },
            "rows[0].numerator",
        ),
        (
            {
                "touchpoint": "support.chat",
                "metric": "fcr",
                "period": "2025-03",
                "numerator": 1,
                "denominator": 4,
                "value": 60,
            },
            "rows[0].value",
        ),
        ({"touchpoint": "support.chat", "metric": "aht", "period": "March", "value": 1}, "rows[0].period"),
        (
            {
                "touchpoint": "support.chat",
                "metric": "aht",
                "period_start": "2025-03-09",
                "period_end": "2025-03-01",
                "value": 1,
            },
            "rows[0].period_end",
        ),
        (
            {"touchpoint": "support.chat", "metric": "complaints", "period": "2025-03", "value": -3},
            "rows[0].value",
        ),
    ],
)
def test_bad_rows_name_the_field(analyst, row, field):
    with pytest.raises(InvalidInput) as err:
        operational.record_operational(analyst, [row])
    assert err.value.field == field


def test_csv_import_is_all_or_nothing_and_names_the_line(analyst, tmp_path):
    path = tmp_path / "ops.csv"
    path.write_text(
        "touchpoint,metric,period,value,numerator,denominator\n"
        "support.chat,fcr,2025-03,,700,1000\n"
        "support.chat,aht,2025-03,395,,\n"
        "relationship,clv,2025-03,oops,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as err:
        operational.import_operational_file(analyst, path)
    assert err.value.field == "line 4: value"
    assert operational.list_operational(analyst) == []
    path.write_text(path.read_text().replace("oops", "2400"), encoding="utf-8")
    assert operational.import_operational_file(analyst, path) == 3
    fcr = next(r for r in operational.list_operational(analyst, ["support.chat"]) if r.metric == "fcr")
    assert fcr.value == pytest.approx(70.0) and fcr.denominator == 1000 and fcr.source == "csv"


def test_import_needs_the_columns(analyst, tmp_path):
    path = tmp_path / "ops.csv"
    path.write_text("touchpoint,value\nsupport.chat,1\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="metric"):
        operational.import_operational_file(analyst, path)


def test_viewer_cannot_import(org_a, make_member, analyst):
    viewer = accounts.actor_for_user(make_member(org_a, "viewer"), org_a, via="web")
    with pytest.raises(Exception, match="responses.write"):
        operational.record_operational(viewer, [])


def test_api_and_page(org_a, analyst, make_key, make_member, signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    headers = {"Authorization": f"Bearer {make_key(org_a, 'analyst')}"}
    client = Client()
    response = client.post(
        "/api/v1/operational-metrics",
        data={
            "rows": [
                {
                    "touchpoint": "support.chat",
                    "metric": "fcr",
                    "period": "2025-04",
                    "numerator": 8,
                    "denominator": 10,
                }
            ]
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200 and response.json() == {"stored": 1}
    got = client.get("/api/v1/operational-metrics?touchpoint=support.chat", headers=headers).json()
    assert got[0]["value"] == pytest.approx(80.0) and got[0]["period_end"] == "2025-04-30"
    bad = client.post(
        "/api/v1/operational-metrics",
        data={"rows": [{"touchpoint": "x", "metric": "fcr", "period": "2025-04", "value": 1}]},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "rows[0].touchpoint"
    web = signed_in(make_member(org_a, "admin"))
    upload = SimpleUploadedFile(
        "o.csv", b"touchpoint,metric,period,value\nsupport.chat,complaints,2025-05,12\n"
    )
    assert web.post("/journeys/operational/", {"file": upload}).status_code == 302
    assert "complaints" in web.get("/journeys/operational/").content.decode()


def test_cli_import(org_a, make_member, analyst, tmp_path, capsys):
    from openxm.cli import main

    make_member(org_a, "admin", "ops@example.com")
    path = tmp_path / "o.csv"
    path.write_text("touchpoint,metric,period,value\nsupport.chat,aht,2025-06,380\n", encoding="utf-8")
    assert (
        main(["journeys", "import-operational", str(path), "--org", org_a.slug, "--user", "ops@example.com"])
        == 0
    )
    assert "1 operational metric rows imported" in capsys.readouterr().out
    assert main(["journeys", "export", "support", "--org", org_a.slug, "--user", "ops@example.com"]) == 0
    assert "support.chat" in capsys.readouterr().out
