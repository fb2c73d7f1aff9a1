"""The directory and profiles: create, change, find, page, typed attributes, scope and redaction."""

import pytest

from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.customers import directory as contacts
from openxm.customers.services import stored_key
from openxm.profiles import directory

LI = {
    "external_id": "CRM-1",
    "name": "Li Lei",
    "email": "Li.Lei@Example.com",
    "phone": "+86 138-0013-8000",
    "wechat_openid": "oLiLei",
    "unit": "s-in",
    "attributes": {"tier": "gold", "first_name": "Lei"},
}


def test_create_find_by_any_identifier_and_change(shop):
    owner = shop["owner"]
    li = contacts.create_contact(owner, LI)
    # E-mail and phone keys are blind indexes of the normalised values (docs/privacy.md).
    assert (li.email_key, li.phone_key, li.external_key) == (
        stored_key("email", "li.lei@example.com"),
        stored_key("phone", "13800138000"),
        "crm-1",
    )
    for q in ("li.lei@EXAMPLE.com", "0086 13800138000", "crm-1", "oLiLei", "Li"):
        page = directory.page(owner, contacts.Filters(q=q))
        assert [c.pk for c in page.rows] == [li.pk], q
    assert directory.page(owner, contacts.Filters(q="Han")).rows == []
    contacts.update_contact(owner, li.pk, {"consent": "granted", "attributes": {"tier": None, "visits": "3"}})
    li.refresh_from_db()
    assert li.consent == "granted" and li.consent_at is not None
    assert li.attributes == {"first_name": "Lei", "visits": "3"}


def test_typed_attributes_are_checked_and_stored_in_their_type(shop):
    owner = shop["owner"]
    contacts.define_attribute(owner, "visits", "number")
    contacts.define_attribute(owner, "joined", "date")
    contacts.define_attribute(owner, "level", "choice", ["silver", "gold"])
    li = contacts.create_contact(
        owner,
        {
            "external_id": "c1",
            "attributes": {"visits": "1,200", "joined": "2024-03-01T10:00", "level": "gold"},
        },
    )
    assert li.attributes == {"visits": 1200, "joined": "2024-03-01", "level": "gold"}
    for attrs, field in (
        ({"visits": "many"}, "attributes.visits"),
        ({"joined": "March"}, "attributes.joined"),
        ({"level": "platinum"}, "attributes.level"),
    ):
        with pytest.raises(InvalidInput) as exc:
            contacts.update_contact(owner, li.pk, {"attributes": attrs})
        assert exc.value.field == field
    with pytest.raises(InvalidInput) as exc:
        contacts.define_attribute(owner, "level2", "choice", [])
    assert exc.value.field == "choices"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"external_id": ""}, "external_id"),
        ({"external_id": "x", "email": "not-an-address"}, "email"),
        ({"external_id": "x", "phone": "call me"}, "phone"),
        ({"external_id": "x", "kind": "robot"}, "kind"),
        ({"external_id": "x", "consent": "maybe"}, "consent"),
        ({"external_id": "x", "preferences": {"fax": True}}, "preferences"),
    ],
)
def test_bad_input_names_the_field(shop, data, field):
    with pytest.raises(InvalidInput) as exc:
        contacts.create_contact(shop["owner"], data)
    assert exc.value.field == field


def test_keyset_paging_visits_every_contact_once(shop):
    owner = shop["owner"]
    made = [contacts.create_contact(owner, {"external_id": f"c{i:03d}"}).pk for i in range(23)]
    seen, after = [], 0
    while True:
        page = directory.page(owner, contacts.Filters(), after=after, limit=10)
        seen += [c.pk for c in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == made


def test_a_store_limited_member_sees_and_changes_only_its_stores_contacts(shop):
    owner, store = shop["owner"], shop["store"]
    inside = contacts.create_contact(owner, {**LI})
    outside = contacts.create_contact(owner, {"external_id": "CRM-2", "name": "Otto", "unit": "s-out"})
    nowhere = contacts.create_contact(owner, {"external_id": "CRM-3", "name": "Nobody"})
    assert [c.pk for c in directory.page(store, contacts.Filters()).rows] == [inside.pk]
    for pk in (outside.pk, nowhere.pk):
        with pytest.raises(NotFound):
            directory.profile(store, pk)
        with pytest.raises(NotFound):
            contacts.update_contact(store, pk, {"name": "x"})
    with pytest.raises(NotFound):
        directory.page(store, contacts.Filters(unit="s-out"))
    with pytest.raises(NotFound):
        contacts.create_contact(store, {"external_id": "CRM-4", "unit": "s-out"})
    with pytest.raises(InvalidInput) as exc:
        contacts.create_contact(store, {"external_id": "CRM-4"})
    assert exc.value.field == "unit"
    assert contacts.create_contact(store, {"external_id": "CRM-4", "unit": "s-in"}).unit.code == "s-in"


def test_roles_without_pii_see_no_personal_data(shop):
    li = contacts.create_contact(shop["owner"], LI)
    seen = directory.profile(shop["analyst"], li.pk).card
    assert (seen.name, seen.email, seen.phone, seen.wechat_openid) == (None, None, None, None)
    assert seen.label == "CRM-1" and seen.attributes == {"tier": "gold"}  # first_name is personal
    agent = directory.profile(shop["agent"], li.pk).card
    assert agent.name == "Li Lei" and agent.attributes["first_name"] == "Lei"


def test_writing_needs_responses_write(shop):
    with pytest.raises(PermissionDenied):
        contacts.create_contact(shop["agent"], {"external_id": "x"})
