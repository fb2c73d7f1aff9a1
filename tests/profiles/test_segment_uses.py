"""Saved segments and value tiers where other features use them: dashboard filters, distribution
audiences, alert-rule conditions, the per-tier service (and the contact cap distribution
honours), experience by tier, alerts in the timeline, and win-back from the at-risk list."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from openxm.accounts.errors import InvalidInput
from openxm.alerts import services as alerts
from openxm.alerts.models import Alert
from openxm.customers import directory as contacts
from openxm.customers import segments as contact_segments
from openxm.customers import tiers
from openxm.customers.models import Contact, TierSetting
from openxm.distribution import audiences, invitations
from openxm.distribution import services as distribution
from openxm.distribution.models import Event, Invitation
from openxm.insights import query, widgets
from openxm.insights.params import parse
from openxm.profiles import segments, timeline, value

from .conftest import answer


def _vips(shop):
    """vip-in (s-in) and vip-out (s-out) are VIPs, plain (s-in) is not; segment ``vip``."""
    owner = shop["owner"]
    made = {}
    people = (("vip-in", "s-in", "yes"), ("vip-out", "s-out", "yes"), ("plain", "s-in", "no"))
    for external_id, unit, vip in people:
        made[external_id] = contacts.create_contact(
            owner,
            {"external_id": external_id, "unit": unit, "email": f"{external_id}@example.com",
             "attributes": {"vip": vip}},
        )
    segments.save_segment(owner, "vip", "VIP", {"contact": "vip", "op": "eq", "value": "yes"})
    return made


# --- the provider: members inside the scope ----------------------------------------------------


def test_segment_members_and_memberships_obey_the_scope(shop):
    made = _vips(shop)
    org_scope, store_scope = shop["owner"].scope, shop["store"].scope
    assert contact_segments.contact_ids(org_scope, "vip") == {made["vip-in"].pk, made["vip-out"].pk}
    assert contact_segments.contact_ids(store_scope, "vip") == {made["vip-in"].pk}
    assert contact_segments.memberships(org_scope, [made["vip-out"].pk, made["plain"].pk]) == {
        made["vip-out"].pk: frozenset({"vip"}),
        made["plain"].pk: frozenset(),
    }
    assert ("vip", "VIP") in contact_segments.choices(org_scope)
    with pytest.raises(Exception) as caught:
        contact_segments.contact_ids(org_scope, "nope")
    assert caught.value.__class__.__name__ == "NotFound"


def test_a_segment_on_personal_data_is_refused_without_pii(shop):
    _vips(shop)
    segments.save_segment(shop["owner"], "by-mail", "By mail", {"contact": "email", "op": "eq", "value": "x"})
    assert contact_segments.contact_ids(shop["owner"].scope, "by-mail") == frozenset()
    with pytest.raises(InvalidInput) as caught:
        contact_segments.contact_ids(shop["analyst"].scope, "by-mail")
    assert caught.value.field == "contact.email"


# --- dashboards ---------------------------------------------------------------------------------


def test_dashboards_filter_by_a_saved_segment_through_the_door(shop):
    _vips(shop)
    answer(shop, "vip-in", 10)
    answer(shop, "vip-out", 2)
    answer(shop, "plain", 0)
    org = shop["org"]
    everyone = parse(org, {"period": "30d"}).filters
    vips = parse(org, {"period": "30d", "segment": "vip"}).filters
    assert vips.segment == "vip"
    table = query.tallies(shop["owner"].scope, vips, "nps").table
    assert query.tallies(shop["owner"].scope, vips, "nps").source == "raw"
    assert table[()] == {2: (1, 1, 1), 10: (1, 1, 1)}  # plain's 0 is not in the segment
    assert sum(c for c, _s, _q in query.tallies(shop["owner"].scope, everyone, "nps").table[()].values()) == 3
    volume = query.tallies(shop["owner"].scope, vips, "responses").table
    assert volume[()][0][0] == 2
    with pytest.raises(InvalidInput) as caught:
        query.tallies(shop["owner"].scope, parse(org, {"segment": "nope"}).filters, "nps")
    assert caught.value.field == "segment"
    with pytest.raises(ValueError):
        query.tallies(shop["owner"].scope, vips, "nps", source="answers")


def test_the_filter_bar_offers_saved_segments_and_tiers(shop, client):
    _vips(shop)
    answer(shop, "vip-in", 10)
    client.force_login(shop["owner"].user)
    page = client.get("/insights/responses/", {"segment": "vip", "attr": "value_tier:loyal"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="segment"' in html and '<option value="vip" selected' in html
    assert '<option value="value_tier:loyal" selected' in html


def _small_samples(org):
    """Scores of a single answer shown (the organization's minimum sample is 5 by default)."""
    org.min_sample_size = 1
    org.save(update_fields=["min_sample_size"])


def test_experience_by_tier_on_dashboards(shop):
    _small_samples(shop["org"])
    _buyer(shop, "often", range(1, 200, 5))
    _buyer(shop, "once", [300])
    value.refresh_values(shop["org"])
    answer(shop, "often", 10)
    answer(shop, "once", 3)
    answer(shop, "no-purchase", 9)
    tier_of = dict(Contact.objects.for_org(shop["org"]).values_list("external_id", "value_tier"))
    p = parse(shop["org"], {"period": "30d"})
    got = dict(widgets.breakdown(shop["owner"], p, "nps", "tier"))
    assert got[tiers.tier_label(tier_of["often"])].score == 100.0
    assert got[tiers.tier_label(tier_of["once"])].score == -100.0
    assert got["no purchases"].n == 1
    # the tier as a filter (attr=value_tier:NAME) reads the contact's current tier
    only = parse(shop["org"], {"period": "30d", "attr": f"value_tier:{tier_of['often']}"}).filters
    assert query.tallies(shop["owner"].scope, only, "nps").table == {(): {10: (1, 1, 1)}}


# --- value tiers --------------------------------------------------------------------------------


def _buyer(shop, external_id, days, unit="s-in"):
    c = contacts.create_contact(
        shop["owner"], {"external_id": external_id, "unit": unit, "email": f"{external_id}@example.com"}
    )
    from openxm.customers import events

    now = timezone.now()
    events.record_events(
        shop["owner"],
        [(c.pk, {"type": "order", "occurred_at": (now - timedelta(days=d)).isoformat(), "amount": "100",
                 "external_id": f"{external_id}-{d}"}) for d in days],
    )
    return c


def test_the_refresh_sets_the_tier_on_the_contact_and_tier_settings_read_it(shop):
    often = _buyer(shop, "often", range(1, 200, 5))
    once = _buyer(shop, "once", [300])
    value.refresh_values(shop["org"])
    found = value.values_of(shop["owner"].scope, [often.pk, once.pk])
    stored = {v.contact_id: v.tier for v in found.values()}
    tiers_now = dict(Contact.objects.for_org(shop["org"]).values_list("pk", "value_tier"))
    assert tiers_now[often.pk] == stored[often.pk] and tiers_now[once.pk] == stored[once.pk]
    assert stored[often.pk] != stored[once.pk]
    # defaults until set, then the stored settings; cases read them by contact
    assert tiers.service_for_contact(shop["org"], often.pk) == tiers.defaults(stored[often.pk])
    saved = tiers.save_settings(
        shop["owner"],
        stored[often.pk],
        {"case_priority": "urgent", "first_response_hours": "2", "resolution_hours": 24,
         "recovery_budget": "1,200.5", "contact_cap_days": 30},
    )
    service = tiers.service_for_contact(shop["org"], often.pk)
    assert service == saved and service.configured
    assert (service.case_priority, service.first_response_hours) == ("urgent", 2)
    assert service.resolution_hours == 24
    assert float(service.recovery_budget) == 1200.5 and service.contact_cap_days == 30
    assert tiers.tier_settings(shop["org"], stored[once.pk]).case_priority == "normal"
    # a contact that stops buying loses its tier at the next refresh
    Contact.objects.for_org(shop["org"]).filter(pk=once.pk).update(value_tier="stale")
    from openxm.customers.models import ContactEvent

    ContactEvent.objects.for_org(shop["org"]).filter(contact_id=once.pk).delete()
    value.refresh_values(shop["org"])
    assert Contact.objects.for_org(shop["org"]).get(pk=once.pk).value_tier == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"case_priority": "asap"}, "case_priority"),
        ({"first_response_hours": "0"}, "first_response_hours"),
        ({"first_response_hours": "two"}, "first_response_hours"),
        ({"first_response_hours": 10, "resolution_hours": 5}, "resolution_hours"),
        ({"recovery_budget": "-5"}, "recovery_budget"),
        ({"recovery_budget": "lots"}, "recovery_budget"),
        ({"contact_cap_days": 400}, "contact_cap_days"),
    ],
)
def test_bad_tier_settings_name_the_field_and_store_nothing(shop, data, field):
    with pytest.raises(InvalidInput) as caught:
        tiers.save_settings(shop["owner"], "champions", data)
    assert caught.value.field == field
    assert not TierSetting.objects.for_org(shop["org"]).exists()


def test_tier_settings_need_org_manage_and_a_known_tier(shop):
    from openxm.accounts.actors import PermissionDenied

    with pytest.raises(PermissionDenied):
        tiers.save_settings(shop["analyst"], "champions", {})
    with pytest.raises(InvalidInput) as caught:
        tiers.save_settings(shop["owner"], "gold", {})
    assert caught.value.field == "tier"


def _mail(shop):
    return distribution.create_distribution(shop["owner"], shop["survey"].pk, "email", name="mail")


def test_distribution_honours_the_tier_contact_cap(shop):
    dist = _mail(shop)
    org = shop["org"]
    champion = contacts.create_contact(shop["owner"], {"external_id": "ch", "email": "ch@example.com"})
    plain = contacts.create_contact(shop["owner"], {"external_id": "pl", "email": "pl@example.com"})
    tiers.store_tiers(org, {champion.pk: "champions", plain.pk: "others"})
    tiers.save_settings(shop["owner"], "champions", {"contact_cap_days": 30})
    assert invitations.policy(org).contact_cap_days == 7
    now = timezone.now()
    for c in (champion, plain):
        invitations.create_invitation(
            org, dist, Contact.objects.for_org(org).get(pk=c.pk), now=now - timedelta(days=10)
        )
    # ten days later: past the organization's 7 days, inside the champions' 30
    invitations.create_invitation(org, dist, Contact.objects.for_org(org).get(pk=plain.pk), now=now)
    with pytest.raises(invitations.NotInvited) as caught:
        invitations.create_invitation(org, dist, Contact.objects.for_org(org).get(pk=champion.pk), now=now)
    assert caught.value.outcome == Event.Outcome.CAPPED_GLOBAL
    # a cap of 0 days: the tier is never capped across surveys
    tiers.save_settings(shop["owner"], "champions", {"contact_cap_days": 0})
    invitations.create_invitation(org, dist, Contact.objects.for_org(org).get(pk=champion.pk), now=now)
    assert Invitation.objects.for_org(org).filter(contact_id=champion.pk).count() == 2


# --- distribution audiences ---------------------------------------------------------------------


def test_inviting_a_segment_invites_its_members_inside_the_scope(shop, django_capture_on_commit_callbacks):
    made = _vips(shop)
    dist = _mail(shop)
    org = shop["org"]
    with django_capture_on_commit_callbacks(execute=False):
        store = audiences.invite_segment(shop["store"], dist.pk, "vip")
    invited = Invitation.objects.for_org(org)
    assert [invited.get(pk=i).contact_id for i in store.invited] == [made["vip-in"].pk]
    with django_capture_on_commit_callbacks(execute=False):
        everyone = audiences.invite_segment(shop["owner"], dist.pk, "vip")
    # vip-in was just invited: the contact rule skips it, vip-out is invited
    assert [invited.get(pk=i).contact_id for i in everyone.invited] == [made["vip-out"].pk]
    assert everyone.skipped == {Event.Outcome.CAPPED_GLOBAL: 1}
    assert not Invitation.objects.for_org(org).filter(contact_id=made["plain"].pk).exists()
    with pytest.raises(InvalidInput) as caught:
        audiences.invite_segment(shop["owner"], dist.pk, "nope")
    assert caught.value.field == "segment"


def test_the_api_invites_a_segment(shop, api, make_key):
    made = _vips(shop)
    dist = _mail(shop)
    client = api(make_key(shop["org"], "admin"))
    got = client.post(f"/distributions/{dist.pk}/invitations/segment", {"segment": "vip"})
    assert got.status_code == 202, got.content
    assert len(got.json()["invited"]) == 2
    assert Invitation.objects.for_org(shop["org"]).filter(contact_id=made["plain"].pk).count() == 0
    bad = client.post(f"/distributions/{dist.pk}/invitations/segment", {"segment": "nope"})
    assert bad.status_code == 422 and "segment" in bad.content.decode()


# --- alert rules and the timeline ---------------------------------------------------------------


def test_an_alert_rule_on_a_segment_fires_only_for_its_members_and_shows_in_the_timeline(
    shop, django_capture_on_commit_callbacks
):
    made = _vips(shop)
    alerts.save_rule(
        shop["owner"],
        "vip-detractor",
        "VIP detractor",
        {"all": [{"segment": "vip"}, {"score": "nps", "op": "lte", "value": 6}]},
        [{"notify": [shop["owner"].user.email]}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        hit = answer(shop, "vip-out", 2)
    with django_capture_on_commit_callbacks(execute=True):
        answer(shop, "plain", 2)
    with django_capture_on_commit_callbacks(execute=True):
        answer(shop, "vip-in", 10)
    assert list(Alert.objects.for_org(shop["org"]).values_list("response_id", flat=True)) == [hit.pk]
    items = timeline.timeline(shop["owner"], made["vip-out"].pk)
    fired = [i for i in items if i.kind == "alert"]
    assert len(fired) == 1 and fired[0].title == "VIP detractor"
    assert fired[0].detail == {"response_id": hit.pk, "rule": "vip-detractor"}
    assert not [i for i in timeline.timeline(shop["owner"], made["plain"].pk) if i.kind == "alert"]
    # not a member: the negated leaf
    back = alerts.backtest(shop["owner"], {"segment": "vip", "op": "neq"}, days=30)
    assert back.count == 1


# --- win-back -----------------------------------------------------------------------------------


def test_win_back_from_the_at_risk_list(shop, client):
    c = _buyer(shop, "lapsed", [400, 380, 360])
    value.refresh_values(shop["org"])
    # the agent may read the list but not change contacts
    client.force_login(shop["agent"].user)
    page = client.get("/contacts/at-risk/").content.decode()
    assert "lapsed" in page and "win-back/" not in page
    assert client.post(f"/contacts/{c.pk}/win-back/").status_code == 403
    client.force_login(shop["owner"].user)
    page = client.get("/contacts/at-risk/").content.decode()
    assert f"/contacts/{c.pk}/win-back/" in page
    assert client.post(f"/contacts/{c.pk}/win-back/").status_code == 302
    segment = segments.get_segment(shop["owner"], segments.WIN_BACK)
    assert segments.size(shop["owner"], segment.condition) == 1
    assert segments.members(shop["owner"], segment.condition).contacts[0].pk == c.pk
    assert f"/contacts/{c.pk}/win-back/" not in client.get("/contacts/at-risk/").content.decode()


@pytest.fixture
def back_to_english():
    """The language the page switches to stays active in this thread: later tests read English."""
    yield
    translation.deactivate()


def test_the_tier_page_shows_service_and_experience_and_saves(shop, client, back_to_english):
    _small_samples(shop["org"])
    often = _buyer(shop, "often", range(1, 200, 5))
    value.refresh_values(shop["org"])
    tier = Contact.objects.for_org(shop["org"]).get(pk=often.pk).value_tier
    answer(shop, "often", 10)
    client.force_login(shop["owner"].user)
    html = client.get("/contacts/value/tiers/").content.decode()
    assert f'data-tier="{tier}"' in html and "n=1" in html
    done = client.post(
        "/contacts/value/tiers/", {"tier": tier, "case_priority": "high", "first_response_hours": "4"}
    )
    assert done.status_code == 302
    assert tiers.tier_settings(shop["org"], tier).case_priority == "high"
    client.force_login(shop["analyst"].user)
    assert client.post("/contacts/value/tiers/", {"tier": tier, "case_priority": "low"}).status_code == 403
    assert tiers.tier_settings(shop["org"], tier).case_priority == "high"
    # read-only, in Chinese: the priority's label, not its code
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    html = client.get("/contacts/value/tiers/").content.decode()
    assert "<td>高</td>" in html and "<td>普通</td>" in html
    assert ">high<" not in html and ">normal<" not in html
