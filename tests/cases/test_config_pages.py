"""The case configuration pages: who may open them, field errors that name the field (and save
nothing), the happy path of each, and the per-rule follow-up distribution they set."""

import pytest
from django.utils import translation

from openxm.alerts import services as alerts
from openxm.cases import actions, config
from openxm.cases.clocks import settings_of
from openxm.cases.models import Case, RecoveryAction, RootCause, Team, UnitSetup, WorkCalendar
from openxm.distribution import services as distribution
from openxm.distribution.models import Invitation


@pytest.fixture(autouse=True)
def _english_after():
    """A page in a member's Chinese leaves the thread's language active (the middleware sets it
    per request): back to English, so the next test reads English."""
    yield
    translation.activate("en")


PAGES = [
    "/cases/config/",
    "/cases/config/calendars/",
    "/cases/config/units/",
    "/cases/config/teams/",
    "/cases/config/codes/",
]


@pytest.fixture
def admin_client(org_a, make_member, signed_in):
    return signed_in(make_member(org_a, "admin", "boss@example.com"))


@pytest.mark.parametrize("role", ["agent", "analyst", "viewer"])
def test_only_admins_and_owners_configure(org_a, make_member, signed_in, role):
    client = signed_in(make_member(org_a, role))
    for page in PAGES:
        assert client.get(page).status_code == 403, page
    assert client.post("/cases/config/codes/", {"kind": "cause", "key": "x", "name": "X"}).status_code == 403
    assert not RootCause.objects.for_org(org_a).exists()


def test_every_page_opens_for_an_admin(org_a, units, admin_client):
    for page in PAGES:
        assert admin_client.get(page).status_code == 200, page


def test_calendar_with_lunch_break_holidays_and_make_up_days(org_a, admin_client):
    form = {
        "key": "shanghai",
        "name": "上海门店",
        "tz": "Asia/Shanghai",
        "country": "CN",
        **{f"week.{i}": "09:00-12:00, 13:00-18:00" for i in range(5)},
        "week.5": "10:00-16:00",
        "week.6": "",
        "extra_holidays": "2026-12-24\n2026-12-31",
        "extra_workdays": "2026-12-27",
    }
    assert admin_client.post("/cases/config/calendars/", form).status_code == 302
    cal = WorkCalendar.objects.for_org(org_a).get(key="shanghai")
    assert cal.week[0] == [["09:00", "12:00"], ["13:00", "18:00"]] and cal.week[5] == [["10:00", "16:00"]]
    assert cal.week[6] == [] and cal.extra_holidays == ["2026-12-24", "2026-12-31"]
    assert cal.extra_workdays == ["2026-12-27"]
    # The edit form comes back filled, the periods written as they were typed.
    page = admin_client.get("/cases/config/calendars/?edit=shanghai").content.decode()
    assert 'value="09:00-12:00, 13:00-18:00"' in page and "2026-12-27" in page


@pytest.mark.parametrize(
    "change, field_id",
    [
        ({"tz": "Mars/Olympus"}, "c-tz-error"),
        ({"week.2": "13:00-12:00"}, "c-week-2-error"),
        ({"week.3": "nine to five"}, "c-week-3-error"),
        ({"country": "XX"}, "c-country-error"),
        ({"extra_holidays": "2026-02-30"}, "c-holidays-error"),
        ({"key": "Shanghai Store"}, "c-key-error"),
        ({"name": " "}, "c-name-error"),
    ],
)
def test_calendar_errors_name_the_field_and_save_nothing(org_a, admin_client, change, field_id):
    form = {
        "key": "sh",
        "name": "SH",
        "tz": "Asia/Shanghai",
        "country": "CN",
        "week.0": "09:00-17:00",
        **change,
    }
    page = admin_client.post("/cases/config/calendars/", form)
    assert page.status_code == 422
    assert f'id="{field_id}"' in page.content.decode()
    assert not WorkCalendar.objects.for_org(org_a).exists()


def test_calendar_error_in_chinese(org_a, make_member, signed_in):
    user = make_member(org_a, "admin", "zh@example.com")
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    page = signed_in(user).post("/cases/config/calendars/", {"key": "sh", "name": "SH", "tz": "Mars/Olympus"})
    assert page.status_code == 422 and "时区" in page.content.decode()


def test_units_teams_and_codes(org_a, units, make_member, admin_client):
    agent = make_member(org_a, "agent", "agent@example.com")
    make_member(org_a, "viewer", "viewer@example.com")
    config.save_calendar(
        config_actor(org_a), "sh", "SH", "Asia/Shanghai", [[["09:00", "18:00"]]] * 5 + [[], []]
    )
    assert (
        admin_client.post(
            "/cases/config/units/", {"unit": "sh", "calendar": "sh", "owner": "agent@example.com"}
        ).status_code
        == 302
    )
    setup = UnitSetup.objects.for_org(org_a).get(unit__code="sh")
    assert setup.owner == agent and setup.calendar.key == "sh"
    bad = admin_client.post(
        "/cases/config/units/", {"unit": "sh", "calendar": "", "owner": "nobody@example.com"}
    )
    assert bad.status_code == 422 and 'id="u-owner-error"' in bad.content.decode()
    setup.refresh_from_db()
    assert setup.owner == agent and setup.calendar is not None  # nothing half-written

    team = {"key": "desk", "name": "Service desk", "members": "agent@example.com"}
    assert admin_client.post("/cases/config/teams/", team).status_code == 302
    assert list(Team.objects.for_org(org_a).get(key="desk").members.all()) == [agent]
    viewer = admin_client.post(
        "/cases/config/teams/", {**team, "members": "agent@example.com\nviewer@example.com"}
    )
    assert viewer.status_code == 422 and 'id="t-members-error"' in viewer.content.decode()
    assert Team.objects.for_org(org_a).get(key="desk").members.count() == 1

    assert (
        admin_client.post(
            "/cases/config/codes/", {"kind": "cause", "key": "late", "name": "Late", "active": "on"}
        ).status_code
        == 302
    )
    recovery = {"kind": "recovery", "key": "voucher", "name": "Voucher", "default_cost": "-5", "active": "on"}
    page = admin_client.post("/cases/config/codes/", recovery)
    assert page.status_code == 422 and 'id="ra-cost-error"' in page.content.decode()
    assert not RecoveryAction.objects.for_org(org_a).exists()
    assert admin_client.post("/cases/config/codes/", {**recovery, "default_cost": "30"}).status_code == 302
    assert str(RecoveryAction.objects.for_org(org_a).get(key="voucher").default_cost) == "30.00"
    # Switching a code off keeps it for old cases and stops offering it.
    admin_client.post("/cases/config/codes/", {"kind": "cause", "key": "late", "name": "Late"})
    assert RootCause.objects.for_org(org_a).get(key="late").active is False


def config_actor(org):
    from openxm.accounts import services as accounts

    return accounts.operator_actor(org)


def _settings_form(**changes):
    form = {
        "default_calendar": "",
        "targets.high.first_response_hours": "1",
        "targets.high.resolution_hours": "6",
        "paused_states": ["waiting"],
        "risk_hours": "1",
        "control_share": "5",
        "messenger_webhook": "",
    }
    form.update(changes)
    return form


def test_settings_saved_and_refused(org_a, admin, admin_client, receiver):
    alerts.save_webhook(admin, "cx-chat", "feishu", receiver().url)
    # Nothing stored yet: the form shows what applies (waiting on the customer stops the clocks).
    assert 'value="waiting" checked' in admin_client.get("/cases/config/").content.decode()
    assert admin_client.post("/cases/config/", _settings_form(messenger_webhook="cx-chat")).status_code == 302
    s = settings_of(org_a)
    assert s.targets == {"high": {"first_response_hours": 1.0, "resolution_hours": 6.0}}
    assert s.control_share == 0.05 and s.risk_hours == 1.0 and s.messenger_webhook == "cx-chat"
    assert s.paused_states == ["waiting"]

    for change, message in [
        ({"targets.high.resolution_hours": "soon"}, "must be a number"),
        ({"targets.low.first_response_hours": "0"}, "must be a number of hours above zero"),
        ({"control_share": "80"}, "must be between 0 and 50 %"),
        ({"risk_hours": "-1"}, "must be zero or more hours"),
        ({"messenger_webhook": "gone"}, "not found"),
    ]:
        page = admin_client.post("/cases/config/", _settings_form(**{"control_share": "10", **change}))
        assert page.status_code == 422 and message in page.content.decode(), change
    assert settings_of(org_a).control_share == 0.05  # nothing of a refused form is saved


def test_a_rules_cases_follow_up_through_the_rules_own_distribution(
    org_a, admin, admin_client, units, respond, nps_survey, actor_for, django_capture_on_commit_callbacks
):
    general = distribution.create_distribution(admin, nps_survey.pk, "email", name="General")
    vip = distribution.create_distribution(admin, nps_survey.pk, "email", name="VIP follow-up")
    alerts.save_rule(admin, "vip", "VIP", {"score": "nps", "op": "lte", "value": 6}, [{"case": {}}])
    form = _settings_form(followup=[str(general.pk)], **{"rule.vip": str(vip.pk)})
    assert admin_client.post("/cases/config/", form).status_code == 302
    assert settings_of(org_a).followup_by_rule == {"vip": [vip.pk]}
    page = admin_client.get("/cases/config/").content.decode()
    assert f'<option value="{vip.pk}" selected>' in page

    respond(2, "r-1", unit="sh", customer="c-1")
    case = Case.objects.for_org(org_a).get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(actor_for("agent"), case.pk, "resolved")
    invitation = Invitation.unscoped.get(organization=org_a, contact_id=case.contact_id)
    assert invitation.distribution_id == vip.pk


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_each_page_reads_in_one_language(org_a, admin, units, make_member, signed_in, receiver, language):
    """What tests/web/test_translation_scan.py checks on the demo, on these pages with data."""
    from tests.web.translation_scan import data_strings, foreign_words

    make_member(org_a, "agent", "agent@example.com")
    alerts.save_webhook(admin, "cx-chat", "feishu", receiver().url)
    config.save_calendar(admin, "sh", "SH", "Asia/Shanghai", [[["09:00", "18:00"]]] * 5 + [[], []], "CN")
    config.save_team(admin, "desk", "Desk", ["agent@example.com"])
    config.save_root_cause(admin, "late", "Late")
    user = make_member(org_a, "admin", "boss@example.com")
    user.language = language
    user.save(update_fields=["language"])
    client = signed_in(user)
    data = [org_a.name, "cx-chat", "Asia/Shanghai", "SH", "sh", "Desk", "desk", "Late", "late", "CN"]
    data += ["China", "Shanghai", "Beijing", "Jing'an", "cn", "bj", "sh-jingan"]  # the units
    for page in PAGES:
        html = client.get(page).content.decode()
        assert foreign_words(html, language, data_strings(data)) == set(), page
