"""The import and export pages through the Django test client (the browser test drives the rest)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from openxm.responses.models import ExportJob, ImportJob
from openxm.surveys import collect

CSV = "Kunde;Note;Kommentar\r\nK1;Très satisfait;Bien\r\nK2;Nul;Mauvais\r\n"


def test_upload_map_check_and_read_the_report(client, org_a, make_member, survey):
    client.force_login(make_member(org_a, "analyst"))
    page = client.get("/responses/imports/")
    assert page.status_code == 200 and "Import log" in page.content.decode()
    upload = SimpleUploadedFile("notes.csv", CSV.encode("cp1252"))
    answer = client.post(
        "/responses/imports/", {"file": upload, "mode": "responses", "survey": str(survey.pk)}
    )
    job = ImportJob.objects.for_org(org_a).get()
    assert answer.status_code == 302 and answer["Location"] == f"/responses/imports/{job.pk}/"
    assert (job.encoding, job.delimiter) == ("cp1252", ";")
    html = client.get(f"/responses/imports/{job.pk}/").content.decode()
    assert "Map the columns" in html and "Très satisfait · Nul" in html
    client.post(
        f"/responses/imports/{job.pk}/",
        {
            "target-0": "contact.id",
            "target-1": "csat",
            "values-1": "Très satisfait=5",
            "target-2": "comment",
            "channel": "email",
            "action": "check",
        },
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED and job.mapping["columns"]["Note"]["values"] == {
        "Très satisfait": 5
    }
    html = client.get(f"/responses/imports/{job.pk}/").content.decode()
    assert "1 rejected" in html and "csat (&#x27;Nul&#x27;)" in html
    report = client.get(f"/responses/imports/{job.pk}/rejected-rows.csv")
    assert b"".join(report.streaming_content).decode("utf-8-sig").splitlines()[1].startswith("3,Note,")
    client.post(
        f"/responses/imports/{job.pk}/",
        {
            "target-0": "contact.id",
            "target-1": "csat",
            "values-1": "Très satisfait=5; Nul=1",
            "target-2": "comment",
            "channel": "email",
            "action": "import",
        },
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED and job.rows_imported == 2
    assert "2 responses imported." in client.get(f"/responses/imports/{job.pk}/").content.decode()


def test_export_page_codebook_and_download(client, org_a, make_member, survey):
    collect.record_response(org_a, survey, collect.Submission(answers={"csat": 4}, idempotency_key="x"))
    client.force_login(make_member(org_a, "analyst"))
    book = client.get("/responses/codebook/", {"survey": survey.key})
    assert book.status_code == 200 and book.content.decode("utf-8-sig").startswith("variable,label,type")
    assert client.get("/responses/codebook/")["Location"] == "/responses/"  # no survey: pick one
    answer = client.post("/responses/exports/", {"survey": survey.key, "format": "xlsx", "channel": "api"})
    job = ExportJob.objects.for_org(org_a).get()
    assert answer.status_code == 302 and job.status == ExportJob.Status.DONE and job.rows_written == 1
    html = client.get("/responses/exports/").content.decode()
    assert f"/responses/exports/{job.pk}/download/" in html
    row = client.get(f"/responses/exports/{job.pk}/row/").content.decode()
    assert "hx-trigger" not in row and "Download" in row
    download = client.get(f"/responses/exports/{job.pk}/download/")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(download.streaming_content)[:2] == b"PK"
    client.force_login(make_member(org_a, "agent"))
    assert client.get("/responses/exports/").status_code == 403
