"""The same services behind the API, the Python client and the CLI."""

import io

import pytest

from openxm.cli import main
from openxm.surveys.models import Response

CSV = 'Order,Satisfaction,Comment\nO-1,Very satisfied,Lovely\nO-2,Satisfied,"Two\nlines"\nO-3,Dissatisfied,\n'
MAPPING = (
    "columns:\n  Order: hidden.order_id\n  Satisfaction: csat\n  Comment: comment\n"
    "defaults:\n  channel: email\n"
)


def test_api_import_browse_export(org_a, survey, make_key, api, client):
    caller = api(make_key(org_a, "admin"))
    upload = io.BytesIO(CSV.encode("utf-8"))
    upload.name = "orders.csv"
    created = client.post(
        "/api/v1/responses/imports", {"file": upload, "survey": survey.key}, headers=caller.headers
    )
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["columns"] == ["Order", "Satisfaction", "Comment"] and job["encoding"] == "utf-8"
    mapped = client.put(
        f"/api/v1/responses/imports/{job['id']}/mapping",
        {"columns": {"Order": "hidden.order_id", "Satisfaction": "csat", "Comment": "nosuch"}},
        content_type="application/json",
        headers=caller.headers,
    )
    assert mapped.status_code == 422 and mapped.json()["field"] == "mapping.columns.Comment"
    client.put(
        f"/api/v1/responses/imports/{job['id']}/mapping",
        {"columns": {"Order": "hidden.order_id", "Satisfaction": "csat", "Comment": "comment"}},
        content_type="application/json",
        headers=caller.headers,
    )
    checked = caller.post(f"/responses/imports/{job['id']}/check").json()
    assert checked["status"] == "checked" and checked["rows_accepted"] == 3
    done = caller.post(f"/responses/imports/{job['id']}/commit").json()
    assert done["status"] == "imported" and done["rows_imported"] == 3

    page = caller.get("/responses", data={"answer": "csat:gte:4"}).json()
    assert page["total"] == 2 and {r["comment"] for r in page["responses"]} == {"Lovely", "Two\nlines"}
    one = caller.get(f"/responses/{page['responses'][0]['id']}").json()
    assert one["hidden"]["order_id"].startswith("O-") and one["source"]["source"] == "import"
    book = caller.get("/responses/codebook", data={"survey": survey.key}).json()
    assert book["variables"][0]["name"] == "response_id"
    export = caller.post(
        "/responses/exports", {"survey": survey.key, "format": "csv", "filters": {"answer": "csat:lte:2"}}
    )
    assert export.status_code == 202 and export.json()["status"] == "done"
    body = b"".join(client.get(export.json()["download_url"], headers=caller.headers).streaming_content)
    assert body.startswith(b"\xef\xbb\xbfresponse_id,") and body.count(b"\r\n") == 2
    tagged = caller.post("/responses/tags", {"add": ["vip"], "filters": {"answer": "csat:eq:5"}}).json()
    assert tagged == {"count": 1}
    assert caller.delete(f"/responses/{page['responses'][0]['id']}").status_code == 204
    assert (
        api(make_key(org_a, "analyst")).delete(f"/responses/{page['responses'][1]['id']}").status_code == 403
    )


def test_cli_import_with_progress_dry_run_then_commit(org_a, survey, make_member, tmp_path, capsys):
    user = make_member(org_a, "analyst")
    data = tmp_path / "orders.csv"
    data.write_text(CSV.replace("Dissatisfied", "Meh"), encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING)
    who = ["--org", org_a.slug, "--user", user.email]
    assert (
        main(
            [
                "responses",
                "import",
                str(data),
                "--survey",
                survey.key,
                "--mapping",
                str(mapping),
                "--dry-run",
                *who,
            ]
        )
        == 1
    )
    out, err = capsys.readouterr()
    assert f"{data}:5: Satisfaction: csat ('Meh'): must be a whole number" in err
    assert "checking" in err and "100%" in err  # the progress bar
    assert "3 rows read: 2 accepted, 1 rejected" in out and Response.objects.for_org(org_a).count() == 0

    mapping.write_text(
        MAPPING.replace("  Satisfaction: csat\n", "  Satisfaction: {to: csat, values: {Meh: 3}}\n")
    )
    assert (
        main(["responses", "import", str(data), "--survey", survey.key, "--mapping", str(mapping), *who]) == 0
    )
    out, err = capsys.readouterr()
    assert "imported 3 responses" in out and "importing" in err
    assert sorted(r.answers["csat"] for r in Response.objects.for_org(org_a)) == [3, 4, 5]

    target = tmp_path / "out.sav"
    assert (
        main(
            [
                "responses",
                "export",
                "--survey",
                survey.key,
                "--format",
                "sav",
                "--output",
                str(target),
                "--answer",
                "csat:gte:4",
                "--codebook",
                str(tmp_path / "book.csv"),
                *who,
            ]
        )
        == 0
    )
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(target))
    assert sorted(frame["csat"]) == [4.0, 5.0] and meta.variable_value_labels["csat"][5.0] == "Very satisfied"
    assert (
        'csat,"Overall, how satisfied are you with your recent purchase from us?",numeric,ordinal,csat,'
        "1 = Very dissatisfied" in (tmp_path / "book.csv").read_text(encoding="utf-8-sig")
    )
    assert main(["responses", "imports", *who]) == 0
    assert "orders.csv" in capsys.readouterr().out


def test_cli_errors_are_one_line(org_a, survey, make_member, tmp_path, capsys):
    user = make_member(org_a, "viewer")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING)
    data = tmp_path / "orders.csv"
    data.write_text(CSV)
    code = main(
        [
            "responses",
            "import",
            str(data),
            "--survey",
            survey.key,
            "--mapping",
            str(mapping),
            "--org",
            org_a.slug,
            "--user",
            user.email,
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "responses.write" in err


@pytest.mark.django_db(transaction=True)
def test_python_client_gives_dataframes(live_server, org_a, survey, make_key, tmp_path, settings):
    from openxm.client import ApiError, Client

    xm = Client(live_server.url, make_key(org_a, "admin"))
    data = tmp_path / "orders.csv"
    data.write_text(CSV, encoding="utf-8")
    job = xm.import_file(data, survey.key, {"columns": {"Order": "hidden.order_id", "Satisfaction": "csat"}})
    assert job["status"] == "imported" and job["rows_imported"] == 3
    frame = xm.responses(survey.key, answer="csat:gte:4")
    assert sorted(frame["csat"]) == [4.0, 5.0] and list(frame.columns)[:2] == ["response_id", "survey"]
    assert frame.attrs["codebook"]["survey"] == survey.key
    assert xm.codebook(survey.key)["variables"][0]["name"] == "response_id"
    with pytest.raises(ApiError) as err:
        xm.responses("no-such-survey")
    assert err.value.status == 404
