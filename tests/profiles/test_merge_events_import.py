"""Events (idempotent), file imports (dry run, all or nothing), duplicates, merge and unmerge."""

import io

import openpyxl
import pytest

from openxm.accounts.audit import AuditEvent
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.cases import services as cases
from openxm.customers import directory as contacts
from openxm.customers import events, importing
from openxm.customers.models import Contact, ContactEvent
from openxm.customers.services import stored_key
from openxm.profiles import merging, timeline
from openxm.surveys import door

from .conftest import answer


def _event(**kw):
    return {"type": "order", "occurred_at": "2026-01-05T10:00:00+08:00", "amount": "199.00", **kw}


def test_events_are_idempotent_per_external_id(shop):
    owner = shop["owner"]
    li = contacts.create_contact(owner, {"external_id": "c1"})
    first = events.record_events(
        owner, [(li.pk, _event(external_id="o-1")), (li.pk, _event(external_id="o-2"))]
    )
    again = events.record_events(owner, [(li.pk, _event(external_id="o-1", amount="1")), (li.pk, _event())])
    assert (first.created, first.duplicates) == (2, 0)
    assert (again.created, again.duplicates) == (1, 1)
    stored = ContactEvent.objects.for_org(shop["org"]).filter(contact=li)
    assert stored.count() == 3
    assert str(stored.get(external_id="o-1").amount) == "199.00"  # the duplicate changed nothing


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"occurred_at": "2026-01-05"}, "event.type"),
        ({"type": "order", "occurred_at": "yesterday"}, "event.occurred_at"),
        ({"type": "order", "occurred_at": "2026-01-05", "amount": "lots"}, "event.amount"),
        ({"type": "order", "occurred_at": "2026-01-05", "currency": "RMB1"}, "event.currency"),
        ({"type": "order", "occurred_at": "2026-01-05", "unit": "mars"}, "event.unit"),
    ],
)
def test_a_bad_event_names_its_field_and_stores_nothing(shop, event, field):
    li = contacts.create_contact(shop["owner"], {"external_id": "c1"})
    with pytest.raises(InvalidInput) as exc:
        events.record_events(shop["owner"], [(li.pk, event)])
    assert exc.value.field == field
    assert not ContactEvent.objects.for_org(shop["org"]).exists()


def test_events_of_another_stores_contact_are_refused(shop):
    outside = contacts.create_contact(shop["owner"], {"external_id": "c-out", "unit": "s-out"})
    with pytest.raises(NotFound):
        events.record_events(shop["store"], [(outside.pk, _event())])


def _xlsx(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_contact_import_dry_run_then_real_then_update(shop):
    owner = shop["owner"]
    csv = (
        "external_id,name,email,phone,unit,tier\n"
        "c1,Li Lei,li@example.com,+86 13800138000,s-in,gold\n"
        "c2,Han Meimei,,,,silver\n"
    )
    dry = importing.import_contacts(owner, io.BytesIO(csv.encode("gb18030")), "c.csv", dry_run=True)
    assert (dry.ok, dry.created, dry.updated) == (True, 2, 0)
    assert not Contact.objects.for_org(shop["org"]).exists()
    done = importing.import_contacts(owner, io.BytesIO(csv.encode("gb18030")), "c.csv")
    assert (done.created, done.updated) == (2, 0)
    li = Contact.objects.for_org(shop["org"]).get(external_id="c1")
    assert (li.name, li.phone_key, li.unit.code, li.attributes) == (
        "Li Lei",
        stored_key("phone", "13800138000"),
        "s-in",
        {"tier": "gold"},
    )
    update = importing.import_contacts(owner, _xlsx([["external_id", "tier"], ["c1", "platinum"]]), "u.xlsx")
    assert (update.created, update.updated) == (0, 1)
    li.refresh_from_db()
    assert li.attributes == {"tier": "platinum"} and li.name == "Li Lei"


def test_a_bad_row_stores_nothing_and_names_its_line_and_field(shop):
    csv = "external_id,email\nc1,li@example.com\nc2,not-an-address\n"
    report = importing.import_contacts(shop["owner"], io.BytesIO(csv.encode()), "c.csv")
    assert report.errors == [{"line": 3, "field": "email", "message": "is not a valid e-mail address"}]
    assert not Contact.objects.for_org(shop["org"]).exists()


def test_event_import_is_idempotent(shop):
    contacts.create_contact(shop["owner"], {"external_id": "c1"})
    csv = (
        "contact,type,occurred_at,amount,external_id,sku\n"
        "c1,order,2026-01-05,99.5,o-1,A1\n"
        "c1,support,2026-01-06,,,\n"
    )
    first = importing.import_events(shop["owner"], io.BytesIO(csv.encode()), "e.csv")
    again = importing.import_events(shop["owner"], io.BytesIO(csv.encode()), "e.csv")
    assert (first.created, again.created, again.duplicates) == (2, 1, 1)  # the row without an id is new again
    order = ContactEvent.objects.for_org(shop["org"]).get(external_id="o-1")
    assert order.attributes == {"sku": "A1"} and str(order.amount) == "99.50"


def test_merge_preview_merge_and_unmerge_round_trip(shop):
    owner, org = shop["owner"], shop["org"]
    a = contacts.create_contact(
        owner, {"external_id": "CRM-1", "email": "li@example.com", "attributes": {"tier": "gold"}}
    )
    b = contacts.create_contact(
        owner,
        {
            "external_id": "wx-9",
            "phone": "+86 138 0013 8000",
            "email": "LI@example.com",
            "wechat_openid": "oLi",
            "consent": "withdrawn",
            "attributes": {"city": "SH"},
        },
    )
    answer(shop, "CRM-1", 9)
    answer(shop, "wx-9", 3)
    events.record_events(owner, [(b.pk, _event(external_id="o-b"))])
    a_case = cases.open_case(owner, title="a's case", contact_id=a.pk)
    b_case = cases.open_case(owner, title="b's case", contact_id=b.pk)
    groups = merging.candidates(owner)
    assert [(g.kind, g.contact_ids) for g in groups] == [("email", [a.pk, b.pk])]
    preview = merging.preview(owner, a.pk, b.pk)
    assert preview.changes["phone"] == ["", "+86 138 0013 8000"] and preview.changes["consent"] == [
        "unknown",
        "withdrawn",
    ]
    assert (preview.events, preview.responses) == (1, 1)
    record = merging.merge(owner, a.pk, b.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    phone = stored_key("phone", "13800138000")
    assert (a.phone_key, a.wechat_openid, a.consent) == (phone, "oLi", "withdrawn")
    assert a.attributes == {"tier": "gold", "city": "SH"}
    assert door.responses(owner.scope).filter(contact=a).count() == 2
    assert ContactEvent.objects.for_org(org).get(external_id="o-b").contact_id == a.pk
    assert {c.contact_id for c in cases.list_cases(owner)} == {a.pk}  # b's case follows b
    with pytest.raises(NotFound):
        contacts.get_contact_in(owner.scope, b.pk)  # merged away: out of the directory
    kinds = [i.kind for i in timeline.timeline(owner, a.pk)]
    assert kinds.count("response") == 2 and "event" in kinds and "merge" in kinds
    # a change after the merge survives the unmerge
    contacts.update_contact(owner, a.pk, {"name": "Li Lei"})
    merging.unmerge(owner, record.pk)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into_id is None and a.name == "Li Lei"
    assert (a.phone, a.wechat_openid, a.consent, a.attributes) == ("", "", "unknown", {"tier": "gold"})
    assert [r.answers["nps"] for r in door.responses(owner.scope).filter(contact=a)] == [9]
    assert [r.answers["nps"] for r in door.responses(owner.scope).filter(contact=b)] == [3]
    assert ContactEvent.objects.for_org(org).get(external_id="o-b").contact_id == b.pk
    assert {c.pk: c.contact_id for c in cases.list_cases(owner)} == {a_case.pk: a.pk, b_case.pk: b.pk}
    actions = list(
        AuditEvent.unscoped.filter(organization=org, action__startswith="contact.").values_list(
            "action", flat=True
        )
    )
    assert "contact.merged" in actions and "contact.unmerged" in actions
    with pytest.raises(InvalidInput):
        merging.unmerge(owner, record.pk)


def test_merging_needs_data_delete_and_both_contacts_in_scope(shop):
    owner = shop["owner"]
    a = contacts.create_contact(owner, {"external_id": "a", "unit": "s-in"})
    b = contacts.create_contact(owner, {"external_id": "b", "unit": "s-out"})
    from openxm.accounts.actors import PermissionDenied

    with pytest.raises(PermissionDenied):
        merging.merge(shop["analyst"], a.pk, b.pk)
    with pytest.raises(NotFound):
        merging.merge(shop["store"], a.pk, b.pk)
    with pytest.raises(InvalidInput):
        merging.merge(owner, a.pk, a.pk)
