"""The bulk path of a chunked import: each row validated once (the check's outcome is what the
commit stores), the rollups in step with the response tables afterwards, nothing stored by a
second import of the same file, and the check's file of validated rows gone after the commit."""

from openxm.insights.verify import verify
from openxm.responses import import_run, importing, storage
from openxm.responses.models import ImportJob
from openxm.surveys import definition as sd
from openxm.surveys.models import Answer, Response

CSV = (
    "Customer,Satisfaction,Comment,Date,Store\r\n"
    "C-001,5,Friendly staff,2024-05-01 10:30,sh-jingan\r\n"
    'C-002,2,"Queue too long\r\nagain",2024-05-02 11:00,sh-xuhui\r\n'
    "C-001,4,,2024-05-03 09:00,sh-jingan\r\n"
    "C-003,1,价格太贵,2024-05-04 12:00,bj-chaoyang\r\n"
    "C-004,3,,2024-05-05 18:45,sh-xuhui\r\n"
)
MAPPING = {
    "columns": {
        "Customer": "contact.id",
        "Satisfaction": "csat",
        "Comment": "comment",
        "Date": "date",
        "Store": "hidden.store",
    }
}


def _import(admin, survey, path):
    job = importing.start_import(admin, path, "feedback.csv", survey=survey.pk)
    importing.save_mapping(admin, job.pk, MAPPING)
    return importing.request_run(admin, job.pk, commit=True)


def test_rows_are_validated_once_and_the_rollups_verify_after_a_chunked_import(
    org_a, admin, survey, write, monkeypatch
):
    path = write("feedback.csv", CSV)
    real = sd.validate_answers
    validated = []

    def counting(definition, answers, *args, **kwargs):
        validated.append(answers.get("csat"))
        return real(definition, answers, *args, **kwargs)

    monkeypatch.setattr(sd, "validate_answers", counting)
    monkeypatch.setattr(import_run, "COMMIT_ROWS", 2)  # three chunks: 2 + 2 + 1
    job = _import(admin, survey, path)
    assert job.status == ImportJob.Status.IMPORTED, (job.error, job.rejections)
    assert (job.rows_read, job.rows_imported, job.rows_committed) == (5, 5, 5)
    assert sorted(validated) == ["1", "2", "3", "4", "5"]  # in the check only, not in the commit
    responses = Response.objects.for_org(org_a).order_by("completed_at")
    assert [r.answers["csat"] for r in responses] == [5, 2, 4, 1, 3]
    assert [r.version_id for r in responses] == [survey.current_version_id] * 5
    assert responses[1].answers["comment"] == "Queue too long\r\nagain"
    assert responses[0].contact_id == responses[2].contact_id  # one contact, two responses
    assert Answer.objects.for_org(org_a).filter(question_id="comment").count() == 3
    assert verify(org_a) == []
    assert not storage.sidecar(job.file_path, import_run.SPILL).exists()

    again = _import(admin, survey, path)
    assert (again.status, again.rows_imported, again.rows_duplicate) == (ImportJob.Status.IMPORTED, 0, 5)
    assert Response.objects.for_org(org_a).count() == 5
    assert Answer.objects.for_org(org_a).count() == 5 + 3 + 5  # csat, comments, stores: once
    assert verify(org_a) == []


def test_a_rejected_check_leaves_no_file_of_validated_rows(org_a, admin, survey, write):
    path = write("feedback.csv", CSV.replace("C-003,1,", "C-003,11,"))
    job = _import(admin, survey, path)
    assert (job.status, job.rows_rejected) == (ImportJob.Status.REJECTED, 1)
    folder = storage.sidecar(job.file_path, import_run.SPILL).parent
    assert not [p.name for p in folder.iterdir() if p.name.startswith(import_run.SPILL)]
    assert not Response.objects.for_org(org_a).exists()


def test_an_employee_survey_import_stores_what_its_check_validated_de_identified(org_a, admin, write):
    from openxm.surveys import services as surveys

    survey = surveys.create_from_template(admin, "enps-pulse", key="pulse")
    surveys.publish_survey(admin, survey.pk)
    items = ("clarity", "resources", "manager_care", "recognition", "growth", "intent_to_stay")
    header = ",".join(["Employee", "eNPS", "Department", *items])
    lines = [header, "E-1,9,Finance" + ",4" * 6, "E-2,3,Finance" + ",2" * 6]
    path = write("pulse.csv", "\r\n".join(lines) + "\r\n")
    job = importing.start_import(admin, path, "pulse.csv", survey=survey.pk)
    columns = {"Employee": "contact.id", "eNPS": "enps", "Department": "hidden.department"}
    columns.update({item: f"engagement.{item}" for item in items})
    importing.save_mapping(admin, job.pk, {"columns": columns})
    job = importing.request_run(admin, job.pk, commit=True)
    assert job.status == ImportJob.Status.IMPORTED, (job.error, job.rejections)
    stored = list(Response.objects.for_org(org_a).filter(survey=survey).order_by("pk"))
    assert [r.answers["enps"] for r in stored] == [9, 3]
    assert not [r for r in stored if "department" in r.answers]  # no hidden field's value
    assert [(r.hidden, r.contact_id) for r in stored] == [({}, None), ({}, None)]
    assert not Answer.objects.for_org(org_a).filter(survey=survey, qtype="hidden").exists()


KEYED = (
    "Key,Customer,Satisfaction,Comment,Date,Store\r\n"
    "k1,C-001,5,Friendly staff,2024-05-01 10:30,sh-jingan\r\n"
    "k2,C-002,11,,2024-05-02 11:00,sh-xuhui\r\n"  # out of range
    "k3,C-001,4,,2024-05-03 09:00,sh-jingan\r\n"
    "k1,C-003,1,价格太贵,2024-05-04 12:00,bj-chaoyang\r\n"  # repeats line 2's key
    "k5,C-004,3,,2024-05-05 18:45,sh-xuhui\r\n"
    "k6,C-005,x,,2024-05-06 08:00,sh-xuhui\r\n"  # not a score
    "k7,C-006,2,Slow checkout,2024-05-07 19:00,sh-jingan\r\n"
)


def _checked(admin, survey, path):
    job = importing.start_import(admin, path, "keyed.csv", survey=survey.pk)
    importing.save_mapping(admin, job.pk, {"columns": {"Key": "idempotency_key", **MAPPING["columns"]}})
    job = importing.request_run(admin, job.pk, commit=False)
    report = storage.sidecar(job.file_path, "rejections.csv").read_text(encoding="utf-8-sig")
    counts = (job.status, job.rows_read, job.rows_accepted, job.rows_rejected, job.rows_duplicate)
    return counts, job.rejections, report


def test_a_check_in_worker_processes_decides_every_row_as_the_inline_check(
    org_a, admin, survey, write, monkeypatch
):
    from openxm.responses import import_check

    path = write("keyed.csv", KEYED)
    inline = _checked(admin, survey, path)
    assert inline[0] == (ImportJob.Status.REJECTED, 7, 4, 3, 0)
    assert [r["line"] for r in inline[1]] == [3, 5, 7]
    # Parts of two rows, checked by a worker process and by this one in turn, merged in file order.
    monkeypatch.setattr(import_run, "POOL_ROWS", 0)
    monkeypatch.setattr(import_check, "PART", 2)
    pooled = _checked(admin, survey, path)
    assert pooled == inline

    fixed = KEYED.replace(",11,", ",1,").replace("k1,C-003", "k4,C-003").replace(",x,", ",4,")
    job = _import_keyed(admin, survey, write("fixed.csv", fixed))
    assert (job.status, job.rows_imported) == (ImportJob.Status.IMPORTED, 7), (job.error, job.rejections)
    assert verify(org_a) == []
    again = _import_keyed(admin, survey, write("again.csv", fixed))
    assert (again.status, again.rows_imported, again.rows_duplicate) == (ImportJob.Status.IMPORTED, 0, 7)
    assert Response.objects.for_org(org_a).count() == 7


def _import_keyed(admin, survey, path):
    job = importing.start_import(admin, path, "keyed.csv", survey=survey.pk)
    importing.save_mapping(admin, job.pk, {"columns": {"Key": "idempotency_key", **MAPPING["columns"]}})
    return importing.request_run(admin, job.pk, commit=True)
