"""Every export format carries the same columns, values and codebook; re-read, they give back
the stored responses, value labels included."""

import csv
import datetime as dt
import io
import json

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from openpyxl import load_workbook

from openxm.accounts.models import AuditEvent
from openxm.comments.models import CommentAnalysis, CommentTopic
from openxm.responses import exporting
from openxm.responses.filters import parse_filters
from openxm.responses.models import ExportJob
from openxm.surveys import collect

CSAT_LABELS = {
    1.0: "Very dissatisfied",
    2.0: "Dissatisfied",
    3.0: "Neutral",
    4.0: "Satisfied",
    5.0: "Very satisfied",
}
WHEN = dt.datetime(2024, 5, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)


def _submit(org, survey, key, answers, **kw):
    sub = collect.Submission(
        answers=answers,
        idempotency_key=key,
        channel=kw.pop("channel", "email"),
        hidden={"store": kw.pop("store", "sh-jingan"), "order_id": key},
        completed_at=kw.pop("completed_at", WHEN),
        **kw,
    )
    return collect.record_response(org, survey, sub).response


@pytest.fixture
def stored(org_a, survey):
    contact = collect.ContactRef("C-9", {"email": "li@example.com", "name": "Li Lei"}, {"tier": "gold"})
    return [
        _submit(
            org_a,
            survey,
            "o1",
            {"csat": 5, "parts": {"checkout": 4, "staff": 5}, "repurchase": 5, "comment": "很好，谢谢！"},
            contact=contact,
        ),
        _submit(
            org_a,
            survey,
            "o2",
            {
                "csat": 2,
                "improve": {"choices": ["price", "other"], "other": "Parking"},
                "comment": '=HYPERLINK("http://x") mail me at a@b.com',
            },
            channel="sms",
            completed_at=WHEN + dt.timedelta(days=1),
        ),
        _submit(
            org_a,
            survey,
            "o3",
            {"csat": 3, "improve": ["waiting"]},
            language="zh-Hans",
            completed_at=WHEN + dt.timedelta(days=2),
        ),
    ]


def _expected(stored):
    """What every format must hold, by column, built from the stored responses."""
    return {
        "response_id": [float(r.pk) for r in stored],
        "survey": ["transactional-csat"] * 3,
        "channel": ["email", "sms", "email"],
        "csat": [5.0, 2.0, 3.0],
        "parts_checkout": [4.0, None, None],
        "improve_price": [None, 1.0, 0.0],
        "improve_waiting": [None, 0.0, 1.0],
        "improve_other": [None, 1.0, 0.0],
        "improve_other_text": ["", "Parking", ""],
        "comment": ["很好，谢谢！", '=HYPERLINK("http://x") mail me at a@b.com', ""],
        "store": ["sh-jingan"] * 3,
        "contact_email": ["li@example.com", "", ""],
        "completed_at": [dt.datetime(2024, 5, 1, 8, 30, 15) + dt.timedelta(days=i) for i in range(3)],
        "language": ["en", "en", "zh-Hans"],
    }


def _norm(value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _check(columns: dict, stored, names):
    assert list(columns) == names
    for name, want in _expected(stored).items():
        got = [_norm(v) for v in columns[name]]
        want = [_norm(v) for v in want]
        if all(isinstance(v, str) or v is None for v in want):
            got = ["" if v is None else v for v in got]
            want = ["" if v is None else v for v in want]
        assert got == want, name


def _naive_utc(text):
    """An ISO time with offset from a CSV or XLSX cell, as the typed formats hold it."""
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).replace(tzinfo=None) if text else None


def _export(actor, fmt, tmp_path, **params):
    path = tmp_path / f"out.{fmt}"
    exporting.export_to_file(actor, parse_filters({"survey": "transactional-csat", **params}), fmt, path)
    return path


def test_every_format_round_trips_with_the_same_columns(admin, stored, tmp_path):
    _survey, codebook = exporting.export_codebook(admin, parse_filters({"survey": "transactional-csat"}))
    names = codebook.names
    assert names[:3] == ["response_id", "survey", "version"] and "parts_checkout" in names

    df = exporting.export_dataframe(admin, survey="transactional-csat")
    _check({c: list(df[c]) for c in df.columns}, stored, names)
    assert df.attrs["codebook"]["variables"][names.index("csat")]["values"]["5"] == "Very satisfied"
    assert str(df["completed_at"].dtype).startswith("datetime64") and df["csat"].dtype == "float64"

    sav, meta = pyreadstat.read_sav(str(_export(admin, "sav", tmp_path)))
    _check({c: list(sav[c]) for c in sav.columns}, stored, names)
    assert meta.variable_value_labels["csat"] == CSAT_LABELS
    assert meta.variable_value_labels["improve_price"] == {0.0: "Not selected", 1.0: "Selected"}
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert (
        labels["parts_checkout"]
        == "How satisfied are you with each part of your purchase? — Paying at checkout"
    )
    assert meta.variable_measure["csat"] == "ordinal"

    table = pq.read_table(_export(admin, "parquet", tmp_path))
    frame = table.to_pandas()
    _check({c: list(frame[c]) for c in frame.columns}, stored, names)
    embedded = json.loads(table.schema.metadata[b"openxm.codebook"])
    assert embedded == codebook.to_dict()

    book = load_workbook(_export(admin, "xlsx", tmp_path))
    rows = list(book["Responses"].iter_rows(values_only=True))
    xlsx = {name: [r[i] for r in rows[1:]] for i, name in enumerate(rows[0])}
    assert xlsx["completed_at"][0] == "2024-05-01T08:30:15+00:00"  # text with its offset
    for name in ("started_at", "completed_at"):
        xlsx[name] = [_naive_utc(v) for v in xlsx[name]]
    _check(xlsx, stored, names)
    assert book["Responses"].cell(row=3, column=names.index("comment") + 1).data_type == "s"  # not a formula
    sheet = {r[0]: r for r in book["Codebook"].iter_rows(values_only=True)}
    assert sheet["csat"][5] == "; ".join(f"{int(k)} = {v}" for k, v in CSAT_LABELS.items())

    text = _export(admin, "csv", tmp_path).read_text(encoding="utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    columns = {name: [r[i] for r in parsed[1:]] for i, name in enumerate(parsed[0])}
    assert columns["csat"] == ["5", "2", "3"] and columns["completed_at"][0] == "2024-05-01T08:30:15+00:00"
    assert columns["comment"][1] == '\'=HYPERLINK("http://x") mail me at a@b.com'  # neutralised
    columns["comment"] = [c.removeprefix("'") for c in columns["comment"]]
    for name in names:
        kind = codebook.variable(name).kind
        if kind == "numeric":
            columns[name] = [float(v) if v else None for v in columns[name]]
        elif kind == "datetime":
            # aware in the file; compared with the naive UTC values of the typed formats
            columns[name] = [_naive_utc(v) for v in columns[name]]
    _check(columns, stored, names)


def test_filters_apply_to_exports(admin, stored, tmp_path):
    df = exporting.export_dataframe(admin, survey="transactional-csat", answer="csat:lte:3")
    assert list(df["csat"]) == [2.0, 3.0]
    df = exporting.export_dataframe(admin, survey="transactional-csat", channel="sms")
    assert list(df["response_id"]) == [float(stored[1].pk)]
    df = exporting.export_dataframe(admin, survey="transactional-csat", **{"contact.tier": "gold"})
    assert list(df["contact_id"]) == ["C-9"]
    df = exporting.export_dataframe(
        admin, survey="transactional-csat", **{"from": "2024-05-02", "to": "2024-05-02"}
    )
    assert list(df["channel"]) == ["sms"]
    df = exporting.export_dataframe(admin, survey="transactional-csat", answer="improve:eq:waiting")
    assert list(df["csat"]) == [3.0]


def test_roles_without_pii_rights_get_redacted_exports(analyst, stored):
    df = exporting.export_dataframe(analyst, survey="transactional-csat")
    assert list(df["contact_email"]) == ["", "", ""] and list(df["contact_id"]) == ["C-9", "", ""]
    assert df["comment"][1] == '=HYPERLINK("http://x") mail me at [EMAIL]'


def test_viewer_cannot_export_and_every_export_is_audited(org_a, admin, actor_for, stored, tmp_path):
    from openxm.accounts.actors import PermissionDenied

    with pytest.raises(PermissionDenied):
        exporting.export_dataframe(actor_for("agent"), survey="transactional-csat")
    _export(admin, "csv", tmp_path, channel="sms")
    event = AuditEvent.objects.for_org(org_a).filter(action="data.exported").latest("pk")
    assert (
        event.data["format"] == "csv"
        and event.data["rows"] == 1
        and event.data["filters"]["channel"] == "sms"
    )


def test_export_job_runs_in_the_background_with_progress_and_a_download(org_a, admin, analyst, stored):
    from openxm.accounts.actors import PermissionDenied

    job = exporting.request_export(admin, parse_filters({"survey": "transactional-csat"}), "parquet")
    assert job.status == ExportJob.Status.DONE and (job.rows_total, job.rows_written) == (3, 3)
    job, path = exporting.export_download(admin, job.pk)
    assert pd.read_parquet(path)["csat"].tolist() == [5.0, 2.0, 3.0]
    with pytest.raises(PermissionDenied):  # the admin's file holds contact details
        exporting.export_download(analyst, job.pk)
    event = AuditEvent.objects.for_org(org_a).get(action="data.exported")
    assert event.data["job"] == job.pk


def test_a_survey_must_be_chosen_and_formats_are_checked(admin, stored, tmp_path):
    from openxm.accounts.errors import InvalidInput

    with pytest.raises(InvalidInput, match="survey"):
        exporting.export_dataframe(admin)
    with pytest.raises(InvalidInput, match="format"):
        exporting.export_to_file(
            admin, parse_filters({"survey": "transactional-csat"}), "pdf", tmp_path / "x"
        )


def test_csv_times_carry_the_organisations_offset(admin, stored, tmp_path):
    admin.organization.time_zone = "Asia/Shanghai"
    admin.organization.save()
    text = _export(admin, "csv", tmp_path).read_text(encoding="utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    completed = [r[parsed[0].index("completed_at")] for r in parsed[1:]]
    assert completed[0] == "2024-05-01T16:30:15+08:00"  # stored 08:30:15 UTC
    _survey, codebook = exporting.export_codebook(admin, parse_filters({"survey": "transactional-csat"}))
    shanghai = codebook.in_time_zone("Asia/Shanghai")
    assert shanghai.variable("completed_at").label == "Completed (Asia/Shanghai)"
    assert shanghai.time_zone == "Asia/Shanghai"
    assert codebook.variable("completed_at").label == "Completed (UTC)"


def test_xlsx_times_carry_the_organisations_offset(admin, stored, tmp_path):
    admin.organization.time_zone = "Asia/Shanghai"
    admin.organization.save()
    rows = list(load_workbook(_export(admin, "xlsx", tmp_path))["Responses"].iter_rows(values_only=True))
    completed = [r[rows[0].index("completed_at")] for r in rows[1:]]
    assert completed == [f"2024-05-0{d}T16:30:15+08:00" for d in (1, 2, 3)]  # stored 08:30:15 UTC
    book = load_workbook(_export(admin, "xlsx", tmp_path))
    labels = {r[0]: r[1] for r in book["Codebook"].iter_rows(values_only=True)}
    assert labels["completed_at"] == "Completed (Asia/Shanghai)"
    # the typed formats keep UTC datetimes, named so
    sav, meta = pyreadstat.read_sav(str(_export(admin, "sav", tmp_path)))
    assert sav["completed_at"][0].to_pydatetime() == dt.datetime(2024, 5, 1, 8, 30, 15)
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["completed_at"] == "Completed (UTC)"


def test_each_comment_is_followed_by_its_text_analytics_in_every_format(org_a, admin, stored, tmp_path):
    from openxm.comments import engine

    engine.analyse_responses(org_a, [r.pk for r in stored])
    _survey, codebook = exporting.export_codebook(admin, parse_filters({"survey": "transactional-csat"}))
    names = codebook.names
    comment = names.index("comment")
    assert names[comment : comment + 5] == [
        "comment",
        "comment_sentiment",
        "comment_score",
        "comment_topics",
        "comment_flags",
    ]
    other = names.index("improve_other_text")
    assert names[other + 1] == "improve_other_text_sentiment"
    assert codebook.variable("comment_score").kind == "numeric"
    assert codebook.variable("comment_sentiment").label.endswith("— sentiment")
    assert "store_sentiment" not in names  # hidden fields (and e-mail, phone, date) are not comments

    want = {
        (a.response_id, a.question_id): a
        for a in CommentAnalysis.objects.for_org(org_a).filter(response__in=stored)
    }
    first = want[(stored[0].pk, "comment")]
    assert first.sentiment == "positive"  # 很好，谢谢！
    topics = {
        (t.analysis_id, t.kind): t.topic
        for t in CommentTopic.objects.for_org(org_a).filter(analysis__in=want.values())
    }

    parsed = list(csv.reader(io.StringIO(_export(admin, "csv", tmp_path).read_text(encoding="utf-8-sig"))))
    csv_rows = {r[0]: dict(zip(parsed[0], r, strict=True)) for r in parsed[1:]}
    one, two, three = (csv_rows[str(r.pk)] for r in stored)
    assert one["comment_sentiment"] == "positive"
    assert float(one["comment_score"]) == pytest.approx(first.score, abs=1e-3)
    assert two["improve_other_text_sentiment"] == want[(stored[1].pk, "improve")].sentiment
    assert two["comment_flags"] == "; ".join(
        sorted(
            t
            for (aid, kind), t in topics.items()
            if aid == want[(stored[1].pk, "comment")].pk and kind == "flag"
        )
    )
    assert three["comment_sentiment"] == "" and three["comment_score"] == ""  # no comment, no analysis

    book = load_workbook(_export(admin, "xlsx", tmp_path))
    rows = list(book["Responses"].iter_rows(values_only=True))
    assert rows[1][rows[0].index("comment_sentiment")] == "positive"
    sav, meta = pyreadstat.read_sav(str(_export(admin, "sav", tmp_path)))
    assert list(sav["comment_sentiment"])[0] == "positive"
    assert sav["comment_score"][0] == pytest.approx(first.score, abs=1e-3)
    assert dict(zip(meta.column_names, meta.column_labels, strict=True))["comment_topics"].endswith(
        "— topics"
    )


def test_exported_text_analytics_stay_inside_the_unit_scope(org_a, admin, survey, actor_for, tmp_path):
    """A member limited to a unit exports only that unit's responses and their analyses."""
    from openxm.accounts import services as accounts
    from openxm.comments import engine

    accounts.create_unit(admin, "north", "North", "store")
    accounts.create_unit(admin, "south", "South", "store")
    ours = _submit(org_a, survey, "n1", {"csat": 1, "comment": "太慢了，很失望"}, unit="north")
    theirs = _submit(org_a, survey, "s1", {"csat": 1, "comment": "价格太贵"}, unit="south")
    engine.analyse_responses(org_a, [ours.pk, theirs.pk])
    findings = exporting._comment_findings(admin.scope, [ours.pk, theirs.pk])
    assert set(findings) == {(ours.pk, "comment"), (theirs.pk, "comment")}
    limited = accounts.actor_for_user(
        accounts.add_member(admin, "n@example.com", "analyst", unit="north").user, org_a, via="web"
    )
    assert set(exporting._comment_findings(limited.scope, [ours.pk, theirs.pk])) == {(ours.pk, "comment")}
