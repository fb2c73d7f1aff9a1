"""Importing files shaped like the ones people really have: encodings, delimiters, BOMs,
multi-line cells, ragged rows, formula cells; the dry-run report; all-or-nothing commits."""

import pytest
from django.utils import timezone

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import AuditEvent
from openxm.customers.services import get_contact
from openxm.responses import import_run, importing
from openxm.responses.models import ImportJob
from openxm.surveys.models import Answer, Response

GBK_CSV = (
    "客户编号,满意度,评论,日期,门店\r\n"
    "C-001,非常满意,服务很好，下次还来,2024/05/01 10:30,静安店\r\n"
    'C-002,满意,"排队太久了\r\n收银员态度不错",2024/05/02 11:00,徐汇店\r\n'
    "C-003,5,,2024年5月3日,静安店\r\n"
)


MAPPING_GBK = {"columns": {"客户编号": "contact.id", "满意度": "csat"}}


def _run(actor, job, mapping, commit=True):
    importing.save_mapping(actor, job.pk, mapping)
    return importing.request_run(actor, job.pk, commit=commit)


def _responses(org):
    return Response.objects.for_org(org).order_by("pk")


def test_gbk_csv_as_chinese_excel_writes_it(org_a, admin, survey, write):
    path = write("反馈.csv", GBK_CSV, "gbk")
    job = importing.start_import(admin, path, "反馈.csv", survey=survey.pk)
    assert job.encoding == "gb18030" and job.delimiter == "," and job.columns[1] == "满意度"
    assert job.mapping["columns"]["日期"] == "date" and job.mapping["columns"]["满意度"] == "ignore"
    mapping = {
        "columns": {
            "客户编号": "contact.id",
            "满意度": "csat",
            "评论": "comment",
            "日期": "date",
            "门店": "hidden.store",
        }
    }
    job = _run(admin, job, mapping)
    assert job.status == ImportJob.Status.IMPORTED, (job.error, job.rejections)
    assert (job.rows_read, job.rows_accepted, job.rows_rejected, job.rows_imported) == (3, 3, 0, 3)
    rows = list(_responses(org_a))
    assert [r.answers["csat"] for r in rows] == [5, 4, 5]
    assert rows[1].answers["comment"] == "排队太久了\r\n收银员态度不错"
    assert rows[0].hidden == {"store": "静安店"} and rows[0].channel == "import"
    assert rows[2].completed_at.date().isoformat() == "2024-05-03"
    assert get_contact(org_a, "C-002") is not None and rows[1].contact.external_id == "C-002"
    assert Answer.objects.for_org(org_a).filter(question_id="csat").count() == 3
    event = AuditEvent.objects.for_org(org_a).get(action="responses.imported")
    assert event.data["imported"] == 3


CP1252_SEMICOLONS = (
    "Kunde;Zufriedenheit;Kommentar;Datum;Kanal\r\n"
    "K1;Très satisfait;Café très bon, merci;31.05.2024 14:30;E-Mail\r\n"
    'K2;Satisfait;"Prix élevé; qualité ok";01.06.2024 09:00;Kiosk\r\n'
    'K3;Pas du tout;=HYPERLINK("http://evil");02.06.2024;kiosk\r\n'
)
FRENCH = {"Très satisfait": 5, "Satisfait": 4, "Neutre": 3, "Insatisfait": 2, "Pas du tout": 1}


def test_cp1252_semicolons_value_mapping_and_formula_cells(org_a, admin, survey, write):
    path = write("export.csv", CP1252_SEMICOLONS, "cp1252")
    job = importing.start_import(admin, path, "export.csv", survey=survey.key)
    assert (job.encoding, job.delimiter) == ("cp1252", ";")
    mapping = {
        "columns": {
            "Kunde": "contact.id",
            "Zufriedenheit": {"to": "csat", "values": FRENCH},
            "Kommentar": "comment",
            "Datum": "date",
            "Kanal": {"to": "channel", "values": {"E-Mail": "email"}},
        },
        "time_zone": "Europe/Paris",
    }
    job = _run(admin, job, mapping)
    assert job.status == ImportJob.Status.IMPORTED, job.rejections
    rows = list(_responses(org_a))
    assert [r.answers["csat"] for r in rows] == [5, 4, 1]
    assert [r.channel for r in rows] == ["email", "kiosk", "kiosk"]
    assert rows[0].answers["comment"] == "Café très bon, merci"
    assert rows[1].answers["comment"] == "Prix élevé; qualité ok"
    assert rows[2].answers["comment"] == '=HYPERLINK("http://evil")'  # stored as typed, text
    assert rows[0].completed_at.isoformat() == "2024-05-31T12:30:00+00:00"  # 14:30 in Paris


BOM_RAGGED = (
    "\ufeffid,csat,checkout,improve,improve other,comment,when\r\n"
    'R1,4,5,,,"Fine,\r\nreally",2024-05-01T10:00:00+08:00\r\n'
    "R2,9,,,,too high,2024-05-01\r\n"
    "R3,Sehr gut,,,,,2024-05-01\r\n"
    "R4,2,7,price;quality,,short,2024-05-02\r\n"
    "R5,3,,price;nonsense,,,2099-01-01\r\n"
    "R6,2,,,Parking,,2024-05-03\r\n"
    "R7,5\r\n"
)


def test_dry_run_reports_every_rejected_row_and_why(org_a, admin, survey, write):
    path = write("bom.csv", BOM_RAGGED, "utf-8")
    job = importing.start_import(admin, path, "bom.csv", survey=survey.pk)
    assert job.encoding == "utf-8-sig" and job.columns[0] == "id"
    mapping = {
        "columns": {
            "id": "contact.id",
            "csat": "csat",
            "checkout": "parts.checkout",
            "improve": "improve",
            "improve other": "improve.other",
            "comment": "comment",
            "when": "date",
        }
    }
    job = _run(admin, job, mapping, commit=False)
    assert job.status == ImportJob.Status.REJECTED
    assert (job.rows_read, job.rows_accepted, job.rows_rejected) == (7, 3, 4)
    by_line = {}
    for item in job.rejections:
        by_line.setdefault(item["line"], []).append((item["column"], item["problem"]))
    assert sorted(by_line) == [4, 5, 6, 7]  # R1's comment spans lines 2-3
    assert by_line == {
        4: [("csat", "csat ('9'): must be between 1 and 5")],
        5: [("csat", "csat ('Sehr gut'): must be a whole number")],
        6: [("checkout", "parts.checkout ('7'): must be between 1 and 5")],
        7: [
            ("when", "is in the future"),
            ("improve", "improve ('price;nonsense'): 'nonsense' is not an option"),
        ],
    }
    assert any("padded" in note for note in job.notes)  # R7 is a short row
    assert Response.objects.for_org(org_a).count() == 0
    report = list(importing.iter_rejections(admin, job.pk))
    assert [line for line, _c, _p in report] == [4, 5, 6, 7, 7]  # one line per problem

    # Asking to commit stores nothing while rows are rejected: all or nothing.
    job = importing.request_run(admin, job.pk, commit=True)
    assert job.status == ImportJob.Status.REJECTED and Response.objects.for_org(org_a).count() == 0


def test_a_commit_failure_keeps_the_committed_chunks_and_a_rerun_stores_the_rest(
    org_a, admin, survey, write, monkeypatch
):
    path = write("gbk.csv", GBK_CSV, "gbk")
    job = importing.start_import(admin, path, "gbk.csv", survey=survey.pk)
    from openxm.surveys import collect

    real = collect.record_batch
    calls = []

    def failing(org, s, subs, **kwargs):
        calls.append(len(subs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(org, s, subs, **kwargs)

    monkeypatch.setattr(import_run, "COMMIT_ROWS", 2)
    monkeypatch.setattr(collect, "record_batch", failing)
    job = _run(admin, job, {"columns": {"客户编号": "contact.id", "满意度": "csat"}})
    assert job.status == ImportJob.Status.FAILED and "disk full" in job.error
    assert calls == [2, 1] and Response.objects.for_org(org_a).count() == 2
    assert (job.rows_committed, job.committed_line, job.rows_imported) == (2, 3, 2)
    assert not AuditEvent.objects.for_org(org_a).filter(action="responses.imported").exists()

    job = importing.request_run(admin, job.pk, commit=True)  # the cause is gone: run it again
    assert calls == [2, 1, 1]  # only the row after the committed chunk is stored now
    assert (job.status, job.rows_duplicate, job.rows_imported) == (ImportJob.Status.IMPORTED, 2, 3)
    keys = list(Response.objects.for_org(org_a).values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 3
    assert AuditEvent.objects.for_org(org_a).get(action="responses.imported").data["imported"] == 3


def test_importing_the_same_file_again_stores_nothing_twice(org_a, admin, survey, write):
    path = write("gbk.csv", GBK_CSV, "gbk")
    mapping = {"columns": {"客户编号": "contact.id", "满意度": "csat"}}
    first = _run(admin, importing.start_import(admin, path, "gbk.csv", survey=survey.pk), mapping)
    second = _run(admin, importing.start_import(admin, path, "gbk.csv", survey=survey.pk), mapping)
    assert first.rows_imported == 3
    assert (second.status, second.rows_duplicate, second.rows_imported) == (ImportJob.Status.IMPORTED, 3, 0)
    assert Response.objects.for_org(org_a).count() == 3


def test_interview_notes_come_in_as_text_feedback_tied_to_a_touchpoint(org_a, admin, write):
    notes = (
        "Interview,Stage,Notes,Date\n"
        'INT-01,onboarding,"Found the app confusing.\nCall me on 13800138000.",2024-04-01\n'
        'INT-02,,"Staff were kind; delivery late.",2024-04-02\n'
    )
    path = write("interviews.csv", notes)
    job = importing.start_import(admin, path, "interviews.csv", mode="feedback")
    assert job.survey.key == "feedback"
    mapping = {
        "mode": "feedback",
        "columns": {
            "Interview": "hidden.subject",
            "Stage": "touchpoint",
            "Notes": "feedback",
            "Date": "date",
        },
        "defaults": {"touchpoint": "research", "source": "interview"},
    }
    job = _run(admin, job, mapping)
    assert job.status == ImportJob.Status.IMPORTED, job.rejections
    rows = list(_responses(org_a))
    assert [r.touchpoint for r in rows] == ["onboarding", "research"]
    assert rows[0].answers["feedback"].startswith("Found the app confusing.\nCall me")
    assert rows[0].hidden == {"subject": "INT-01", "source": "interview"}
    text = Answer.objects.for_org(org_a).get(response=rows[1], question_id="feedback")
    assert text.qtype == "text" and text.touchpoint == "research"


def test_xlsx_with_dates_numbers_and_labels(org_a, admin, survey, tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Order", "CSAT", "Staff", "Improve", "Comment", "Completed"])
    sheet.append(["A-1", 4.0, 5, None, "- too slow", dt.datetime(2024, 3, 1, 9, 15)])
    sheet.append(
        ["A-2", "Very dissatisfied", "Satisfied", "Price, Waiting time", "=1+2", dt.date(2024, 3, 2)]
    )
    sheet.append([None, None, None, None, None, None])
    path = tmp_path / "orders.xlsx"
    book.save(path)
    job = importing.start_import(admin, str(path), "orders.xlsx", survey=survey.pk)
    assert job.format == "xlsx" and job.sample[0][1] == "4"
    mapping = {
        "columns": {
            "Order": "hidden.order_id",
            "CSAT": "csat",
            "Staff": "parts.staff",
            "Improve": "improve",
            "Comment": "comment",
            "Completed": "date",
        }
    }
    job = _run(admin, job, mapping)
    assert job.status == ImportJob.Status.IMPORTED, job.rejections
    first, second = _responses(org_a)
    assert first.answers["csat"] == 4 and first.answers["parts"] == {"staff": 5}
    assert second.answers["csat"] == 1 and second.answers["parts"] == {"staff": 4}
    assert second.answers["improve"] == ["price", "waiting"]
    # A formula cell gives the value Excel cached; openpyxl wrote none, so it reads as blank.
    assert first.answers["comment"] == "- too slow" and "comment" not in second.answers
    assert first.hidden == {"order_id": "A-1"}
    assert first.completed_at.isoformat() == "2024-03-01T09:15:00+00:00"


def test_a_shifted_row_stops_the_check_with_its_line(org_a, admin, survey, write):
    path = write("shifted.csv", "csat,comment\n4,fine\n3,too, many, commas\n5,ok\n")
    job = importing.start_import(admin, path, "shifted.csv", survey=survey.pk)
    job = _run(admin, job, {"columns": {"csat": "csat", "comment": "comment"}})
    assert job.status == ImportJob.Status.REJECTED and job.rows_accepted == 1
    assert job.rejections[-1]["line"] == 3 and job.rejections[-1]["column"] == "file"
    assert Response.objects.for_org(org_a).count() == 0


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ({"csat": "nosuch"}, "mapping.columns.csat"),
        ({"missing column": "csat"}, "mapping.columns.missing column"),
        ({"csat": "parts.nosuch"}, "mapping.columns.csat"),
        ({"csat": "contact.shoe_size"}, "mapping.columns.csat"),
        ({"csat": "csat", "comment": "csat"}, "mapping.columns.comment"),
    ],
)
def test_mapping_problems_name_the_column(admin, survey, write, columns, field):
    job = importing.start_import(admin, write("m.csv", "csat,comment\n4,x\n"), "m.csv", survey=survey.pk)
    with pytest.raises(InvalidInput) as err:
        importing.save_mapping(admin, job.pk, {"columns": columns})
    assert err.value.field == field


def test_unreadable_file_is_refused_with_its_problem(admin, survey, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(InvalidInput, match="not an XLSX workbook"):
        importing.start_import(admin, str(path), "fake.xlsx", survey=survey.pk)


def test_roles_and_organizations(org_a, org_b, actor_for, admin, survey, write):
    path = write("gbk.csv", GBK_CSV, "gbk")
    with pytest.raises(PermissionDenied):
        importing.start_import(actor_for("viewer"), path, "gbk.csv", survey=survey.pk)
    job = importing.start_import(admin, path, "gbk.csv", survey=survey.pk)
    with pytest.raises(NotFound):
        importing.get_job(actor_for("admin", org_b), job.pk)


def test_unreadable_file_is_refused_in_the_users_language(admin, survey, tmp_path):
    """The reader's problem is translated where it is shown, with the uploaded name and line."""
    from django.utils import translation

    empty = tmp_path / "stored-as-something-else.csv"
    empty.write_bytes(b"")
    with translation.override("zh-hans"):
        with pytest.raises(InvalidInput) as caught:
            importing.start_import(admin, str(empty), "门店反馈.csv", survey=survey.pk)
        assert caught.value.field == "file"
        assert caught.value.message == "门店反馈.csv：文件为空（没有表头行）"
    english = r"^file: 门店反馈.csv: the file is empty \(no header row\)$"
    with translation.override("en"), pytest.raises(InvalidInput, match=english):
        importing.start_import(admin, str(empty), "门店反馈.csv", survey=survey.pk)


def test_progress_gives_rows_per_second_and_the_time_left():
    running = importing.JobProgress("importing", 40_000, 1_000_000, False, rows_per_second=2_000.0)
    assert (running.percent, running.seconds_left, running.time_left) == (4, 480, "8:00")
    long = importing.JobProgress("importing", 0, 10_000_000, False, rows_per_second=1_000.0)
    assert long.time_left == "2:46:40"
    assert importing.JobProgress("importing", 5, 10, False).time_left is None  # no rate yet
    assert importing.JobProgress("imported", 10, 10, True, rows_per_second=9.0).seconds_left is None


def test_an_interrupted_import_is_resumed_from_the_page_and_a_live_one_is_not(
    client, org_a, admin, survey, write, make_member
):
    path = write("gbk.csv", GBK_CSV, "gbk")
    job = _run(
        admin, importing.start_import(admin, path, "gbk.csv", survey=survey.pk), MAPPING_GBK, commit=False
    )
    # What a worker killed after the first committed chunk leaves: the job says it is importing.
    ImportJob.objects.for_org(org_a).filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING, commit=True)
    job.refresh_from_db()
    with pytest.raises(InvalidInput, match="not interrupted"):  # it moved a moment ago (a live job)
        importing.resume_import(admin, job.pk)
    stale = job.started_at - timezone.timedelta(seconds=importing.STALE_SECONDS + 1)
    ImportJob.objects.for_org(org_a).filter(pk=job.pk).update(heartbeat_at=stale)
    client.force_login(make_member(org_a, "admin"))
    page = client.get(f"/responses/imports/{job.pk}/").content.decode()
    assert 'value="resume"' in page
    client.post(f"/responses/imports/{job.pk}/", {"action": "resume"})
    job.refresh_from_db()
    assert (job.status, job.rows_imported) == (ImportJob.Status.IMPORTED, 3)
    assert Response.objects.for_org(org_a).count() == 3
    with pytest.raises(InvalidInput, match="not interrupted"):
        importing.resume_import(admin, job.pk)
