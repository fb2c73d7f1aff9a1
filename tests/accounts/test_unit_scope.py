"""Unit scope: who may grant which unit, and what a member limited to a store reads through each
reader (figures, breakdowns, the response browser and detail, exports, comments, studies,
scheduled reports). Personal data and bulk reads follow the role table.

The world is described in conftest.py; the route-by-route sweep is test_access_sweep.py.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import AuditEvent
from openxm.cli import main as cli
from openxm.comments import services as comments
from openxm.customers.personal import mark_attribute
from openxm.insights import figures, reports
from openxm.insights.query import Filters
from openxm.responses import actions, browse, exporting
from openxm.responses.filters import parse_filters


def _member(org, email, role, unit=""):
    accounts.bootstrap_user(email, "correct-horse-battery-staple")
    membership = accounts.set_member(accounts.operator_actor(org), email, role, unit=unit)
    return accounts.actor_for_user(membership.user, org, via="web")


@pytest.fixture
def store(world):
    return _member(world["org"], "store@example.com", "admin", unit="s-in")


@pytest.fixture
def whole(world):
    return _member(world["org"], "whole@example.com", "admin")


def _period():
    today = timezone.localdate()
    return Filters(today - timedelta(days=30), today)


# --- Granting ----------------------------------------------------------------------------------


def test_set_member_adds_then_changes_role_and_unit_with_audit(world):
    org = world["org"]
    op = accounts.operator_actor(org)
    accounts.bootstrap_user("m@example.com", "correct-horse-battery-staple")
    m = accounts.set_member(op, "m@example.com", "viewer", unit="s-in")
    assert (m.role, m.unit.code) == ("viewer", "s-in")
    m = accounts.set_member(op, "m@example.com", "analyst", unit="east")
    assert (m.role, m.unit.code) == ("analyst", "east")
    m = accounts.set_member(op, "m@example.com", "analyst")
    assert m.unit is None
    changes = [e.data for e in AuditEvent.objects.for_org(org).filter(action="member.role_changed")]
    units = sorted((c["unit_from"], c["unit_to"]) for c in changes if "unit_from" in c)
    assert units == [("east", ""), ("s-in", "east")]
    with pytest.raises(InvalidInput) as err:
        accounts.set_member(op, "m@example.com", "analyst", unit="nowhere")
    assert err.value.field == "unit"


def test_a_limited_admin_grants_only_inside_their_unit(world, store):
    with pytest.raises(InvalidInput) as err:
        accounts.add_member(store, "x@example.com", "viewer")  # the whole organization: wider
    assert err.value.field == "unit"
    with pytest.raises(InvalidInput):
        accounts.add_member(store, "x@example.com", "viewer", unit="s-out")
    with pytest.raises(InvalidInput):
        accounts.create_api_key(store, "k", "viewer", unit="east")
    assert accounts.add_member(store, "x@example.com", "viewer", unit="s-in").unit.code == "s-in"
    assert accounts.create_api_key(store, "k", "viewer", unit="s-in").key.unit.code == "s-in"
    whole_owner = next(m for m in accounts.list_members(store) if m.role == "owner")
    with pytest.raises(InvalidInput):
        accounts.change_role(store, whole_owner.id, "owner", unit="s-in")
    assert [u.code for u in accounts.list_units(store)] == ["s-in"]


def test_the_last_unlimited_owner_cannot_be_limited_to_a_unit(world):
    org = world["org"]
    owner = next(m for m in accounts.list_members(accounts.operator_actor(org)) if m.role == "owner")
    with pytest.raises(InvalidInput) as err:
        accounts.change_role(accounts.operator_actor(org), owner.id, "owner", unit="s-in")
    assert err.value.field == "role"


def test_a_unit_with_members_cannot_be_deleted(world, store):
    with pytest.raises(InvalidInput) as err:
        accounts.delete_unit(accounts.operator_actor(world["org"]), "s-in")
    assert err.value.field == "code"


def test_an_api_key_carries_its_unit(world):
    org = world["org"]
    key = accounts.create_api_key(accounts.operator_actor(org), "k", "viewer", unit="s-in").plaintext
    actor = accounts.authenticate_api_key(key)
    assert actor.scope.limited and actor.scope.unit_code == "s-in"


def test_cli_member_set_and_apikey_create_with_unit(world, capsys):
    org = world["org"]
    accounts.bootstrap_user("cli@example.com", "correct-horse-battery-staple")
    args = ["member", "set", "--org", org.slug, "--email", "cli@example.com", "--role", "viewer"]
    assert cli([*args, "--unit", "s-in"]) == 0
    assert "s-in" in capsys.readouterr().out
    assert cli(["apikey", "create", "--org", org.slug, "--role", "viewer", "--unit", "s-in"]) == 0
    key = capsys.readouterr().out.strip()
    assert accounts.authenticate_api_key(key).scope.unit_code == "s-in"
    assert cli([*args, "--unit", "nowhere"]) == 1
    assert "unit" in capsys.readouterr().err


def test_api_sets_a_members_unit_and_creates_limited_keys(world, api, make_key):
    org = world["org"]
    admin = api(make_key(org, "admin"))
    member = _member(org, "api@example.com", "viewer")
    row = next(m for m in accounts.list_members(member) if m.email == "api@example.com")
    response = admin.put(f"/members/{row.id}", {"role": "analyst", "unit": "s-in"})
    assert response.status_code == 200 and response.json()["unit"] == "s-in"
    assert response.json()["role"] == "analyst"
    bad = admin.put(f"/members/{row.id}", {"role": "analyst", "unit": "nowhere"})
    assert bad.status_code == 422 and "unit" in str(bad.json())
    created = admin.post("/api-keys", {"name": "store", "role": "viewer", "unit": "s-in"})
    assert created.status_code == 201 and created.json()["unit"] == "s-in"
    me = api(created.json()["key"]).get("/me").json()
    assert me["unit"] == "s-in"


# --- Reading through the scope --------------------------------------------------------------


def test_figures_and_breakdowns_cover_only_the_scope(world, store, whole):
    f = _period()
    assert figures.headline(whole, f, "nps").result.n == 2
    assert figures.headline(store, f, "nps").result.n == 1
    assert figures.headline(store, f, "nps").result.score == 100
    units = set(figures.volume(store, f, ("unit",)))
    assert units == {(world["inside"].unit_id,)}
    with pytest.raises(NotFound):
        figures.headline(store, Filters(f.start, f.end, unit="s-out"), "nps")
    with pytest.raises(NotFound):
        figures.headline(store, Filters(f.start, f.end, unit="east"), "nps")  # wider than the scope
    assert figures.headline(whole, Filters(f.start, f.end, unit="east"), "nps").result.n == 2


def test_the_response_browser_detail_and_delete_stay_inside(world, store):
    page = browse.list_responses(store, parse_filters({}))
    assert [r.id for r in page.rows] == [world["inside"].pk]
    with pytest.raises(NotFound):
        browse.response_detail(store, world["outside"].pk)
    with pytest.raises(NotFound):
        actions.delete_response(store, world["outside"].pk)
    with pytest.raises(NotFound):
        actions.anonymise_response(store, world["outside"].pk)
    with pytest.raises(NotFound):
        browse.list_responses(store, parse_filters({"unit": "s-out"}))
    assert browse.list_responses(store, parse_filters({"unit": "s-in"})).total == 1


def test_exports_contain_only_the_scope_and_other_members_exports_stay_hidden(world, store, whole, tmp_path):
    survey = world["survey"].key
    path = tmp_path / "out.csv"
    rows = exporting.export_to_file(store, parse_filters({"survey": survey}), "csv", path)
    text = path.read_text(encoding="utf-8-sig")
    assert rows == 1 and "INSIDE-MARK" in text and "OUTSIDE-MARK" not in text
    job = exporting.request_export(whole, parse_filters({"survey": survey}), "csv")
    assert [j.pk for j in exporting.list_exports(whole)] == [job.pk]
    assert exporting.list_exports(store) == []
    with pytest.raises(NotFound):
        exporting.get_export(store, job.pk)


def test_comment_figures_and_verbatims_cover_only_the_scope(world, store, whole):
    everything = comments.summary(whole, comments.slice_for(whole))
    mine = comments.summary(store, comments.slice_for(store))
    assert (everything.comments, mine.comments) == (2, 1)
    texts = [v.text for v in comments.verbatims(store, comments.slice_for(store)).rows]
    assert len(texts) == 1 and "INSIDE-MARK" in texts[0]
    # A slice made for someone who sees more cannot widen the view: readers apply actor.scope.
    assert comments.summary(store, comments.slice_for(whole)).comments == 1
    with pytest.raises(NotFound):
        comments.slice_for(store, unit="s-out")
    with pytest.raises(NotFound):
        comments.response_comments(store, world["outside"].pk)


def test_a_report_is_limited_per_recipient(world, store, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org = world["org"]
    owner = accounts.operator_actor(org)
    schedule = reports.create_schedule(owner, "sweep", "weekly", "store@example.com; board@example.com")
    groups = reports.recipient_units(reports.ReportSchedule.objects.for_org(org).get(pk=schedule.id))
    assert groups == {world["inside"].unit_id: ["store@example.com"], None: ["board@example.com"]}
    reports.send(reports.ReportSchedule.objects.for_org(org).get(pk=schedule.id))
    assert sorted(tuple(m.to) for m in mail.outbox) == [("board@example.com",), ("store@example.com",)]
    # What each copy holds: the same rendering over a period with the world's responses.
    store_copy = reports.render_report(
        reports.report_actor(org, world["inside"].unit_id), "sweep", {"period": "30d"}
    )
    board_copy = reports.render_report(reports.report_actor(org), "sweep", {"period": "30d"})
    assert "Store Outside" not in store_copy.csv and "Store Outside" in board_copy.csv


def test_a_schedule_by_a_limited_member_never_reaches_wider(world, store):
    schedule = reports.create_schedule(store, "sweep", "weekly", "outsider@example.com")
    row = reports.ReportSchedule.objects.for_org(world["org"]).get(pk=schedule.id)
    assert reports.recipient_units(row) == {world["inside"].unit_id: ["outsider@example.com"]}


# --- Personal data and bulk reads -------------------------------------------------------------


def test_personal_attributes_and_typed_answers_for_a_role_without_pii(world):
    org = world["org"]
    analyst = _member(org, "a@example.com", "analyst")
    detail = browse.response_detail(analyst, world["inside"].pk)
    assert "first_name" not in detail.contact["attributes"] and "name" not in detail.contact
    assert detail.values["nps"] == 10 and isinstance(detail.values["nps"], int)
    mark_attribute(accounts.operator_actor(org), "first_name", personal=False)
    assert (
        browse.response_detail(analyst, world["inside"].pk).contact["attributes"]["first_name"] == "InezFirst"
    )
    agent = _member(org, "ag@example.com", "agent")
    assert browse.response_detail(agent, world["inside"].pk).contact["name"] == "Inez Inside"


def test_api_pages_of_responses_need_data_export(world, api, make_key):
    org = world["org"]
    agent = api(make_key(org, "agent"))
    assert agent.get("/responses?per_page=500").status_code == 403
    one = agent.get(f"/responses/{world['inside'].pk}")
    assert one.status_code == 200 and one.json()["answers"]["nps"] == 10
    analyst = api(make_key(org, "analyst"))
    body = analyst.get(f"/responses/{world['inside'].pk}").json()
    assert body["answers"]["nps"] == 10 and "name" not in (body["contact"] or {})
    assert "first_name" not in body["contact"]["attributes"]
    assert analyst.get("/responses").status_code == 200
    agent_actor = _member(org, "ag2@example.com", "agent")
    with pytest.raises(PermissionDenied):
        browse.list_responses(agent_actor, parse_filters({}), bulk=True)


def test_studies_read_only_the_scope(world, store, whole):
    from openxm.analysis import data

    survey = world["survey"]
    mine = data.answers(store.scope, survey, data.Filters(), ["nps"]).count()
    everything = data.answers(whole.scope, survey, data.Filters(), ["nps"]).count()
    assert (mine, everything) == (1, 2)
    with pytest.raises(NotFound):
        data.answers(store.scope, survey, data.Filters(unit="s-out"), ["nps"])


def test_the_command_line_as_a_store_limited_member(world, store, tmp_path, capsys):
    org = world["org"].slug
    me = ["--org", org, "--user", "store@example.com"]
    out = tmp_path / "export.csv"
    survey = world["survey"].key
    assert cli(["responses", "export", "--survey", survey, "--output", str(out), *me]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "INSIDE-MARK" in text and "OUTSIDE-MARK" not in text
    assert cli(["responses", "export", "--survey", survey, "--output", str(out), "--unit", "s-out", *me]) == 1
    assert "s-out" in capsys.readouterr().err
    assert cli(["comments", "topics", "--period", "all", "--unit", "s-out", *me]) == 1
    report = tmp_path / "report.pdf"
    assert cli(["insights", "report", "sweep", "--period", "30d", "--output", str(report), *me]) == 0
    csv = report.with_suffix(".csv").read_text(encoding="utf-8-sig")
    assert "Store Inside" in csv and "Store Outside" not in csv
