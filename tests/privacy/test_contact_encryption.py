"""A contact's e-mail and phone are ciphertext in the raw database; every exact lookup (directory
search, data-subject requests, inbound replies, duplicates) goes through their blind indexes,
which survive a key rotation; the migration encrypts contacts stored before."""

import importlib
import io
import os

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection

from openxm import crypto
from openxm.customers import directory, identifiers, importing, merging
from openxm.customers import services as customers
from openxm.customers.models import Contact
from openxm.customers.personal_data import resolve
from openxm.distribution import inbound
from openxm.distribution import services as distribution
from openxm.privacy.keys import rotate_keys

EMAIL = "Li.Wei@Example.com"
PHONE = "+86 138-0013-8000"


pytestmark = pytest.mark.usefixtures("fresh_keys")


def raw(org, external_id: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, phone, email_key, phone_key FROM customers_contact "
            "WHERE organization_id = %s AND external_id = %s",
            [org.pk, external_id],
        )
        return dict(zip(("email", "phone", "email_key", "phone_key"), cursor.fetchone(), strict=True))


def found(owner, term: str) -> list[str]:
    rows, _next = directory.search(owner.scope, directory.Filters(q=term))
    return [c.external_id for c in rows]


def assert_encrypted(stored: dict, email: str, phone: str) -> None:
    for column, plain in (("email", email), ("phone", phone)):
        assert stored[column].startswith("fernet:"), column
        assert plain not in stored[column] and identifiers.NORMALISERS[column](plain) not in stored[column]
    assert len(stored["email_key"]) == 64 and stored["email_key"] != identifiers.email_key(email)
    assert len(stored["phone_key"]) == 64 and stored["phone_key"] != identifiers.phone_key(phone)


def test_every_write_path_stores_ciphertext(owner, org_a):
    customers.upsert_contact(org_a, "one", {"email": EMAIL, "phone": PHONE})
    customers.upsert_contacts(org_a, [("two", {"email": "two@example.com", "phone": "13900001111"}, None)])
    directory.create_contact(
        owner, {"external_id": "three", "email": "three@example.com", "phone": "13900002222"}
    )
    csv = "external_id,email,phone\nfour,four@example.com,13900003333\n"
    assert importing.import_contacts(owner, io.BytesIO(csv.encode()), "c.csv").ok
    assert_encrypted(raw(org_a, "one"), EMAIL, PHONE)
    assert_encrypted(raw(org_a, "two"), "two@example.com", "13900001111")
    assert_encrypted(raw(org_a, "three"), "three@example.com", "13900002222")
    assert_encrypted(raw(org_a, "four"), "four@example.com", "13900003333")
    contact = Contact.objects.for_org(org_a).get(external_id="one")
    # Loading does not decrypt (a segment reads thousands of contacts and no e-mail); reading does.
    assert contact.__dict__["email"].startswith("fernet:")
    assert (contact.email, contact.phone) == (EMAIL, PHONE)
    assert contact.__dict__["email"] == EMAIL
    assert raw(org_a, "one")["email"] != raw(org_a, "two")["email"]


def test_exact_lookups_use_the_blind_index(owner, org_a):
    customers.upsert_contact(org_a, "one", {"email": EMAIL, "phone": PHONE})
    customers.upsert_contact(org_a, "other", {"email": "li.wei@example.net", "phone": "13800138001"})
    # Another spelling of the same e-mail and number finds the contact; a prefix does not.
    assert found(owner, " li.wei@EXAMPLE.com") == ["one"]
    assert found(owner, "0086 13800138000") == ["one"]
    assert found(owner, "1380013800") == []
    subject = resolve(org_a, email="LI.WEI@example.com")
    assert len(subject.contact_ids) == 1
    assert subject.emails == ("li.wei@example.com",)  # plain, for the other apps' hooks
    assert subject.phones == ("13800138000",)
    assert resolve(org_a, phone="8613800138000").contact_ids == subject.contact_ids
    messenger = distribution.create_messenger(owner, "sms", "SMS", {"url": "https://sms.example.com/send"})
    assert [c.external_id for c in inbound.matching_contacts(messenger, "+8613800138000")] == ["one"]


def test_duplicates_show_the_shared_value_not_its_hash(owner, org_a):
    customers.upsert_contact(org_a, "a", {"email": EMAIL})
    customers.upsert_contact(org_a, "b", {"email": "li.wei@example.com "})
    [group] = [c for c in merging.candidates(owner.scope) if c.kind == "email"]
    assert group.value == "li.wei@example.com" and len(group.contact_ids) == 2


def test_rotation_re_encrypts_and_reindexes_contacts(owner, org_a, monkeypatch):
    old = os.environ["OPENXM_ENCRYPTION_KEYS"]
    customers.upsert_contact(org_a, "one", {"email": EMAIL, "phone": PHONE})
    before = raw(org_a, "one")
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("OPENXM_ENCRYPTION_KEYS", f"{new},{old}")
    crypto.reset()
    assert found(owner, EMAIL) == ["one"]  # still found before the rotation: every key's index
    assert rotate_keys() == {"customers.Contact": 1}
    assert rotate_keys() == {}
    after = raw(org_a, "one")
    assert all(after[c] != before[c] for c in before)
    monkeypatch.setenv("OPENXM_ENCRYPTION_KEYS", new)  # the old key retired
    crypto.reset()
    assert found(owner, EMAIL) == ["one"] and found(owner, PHONE) == ["one"]
    contact = Contact.objects.for_org(org_a).get(external_id="one")
    assert (contact.email, contact.phone) == (EMAIL, PHONE)


def test_migration_encrypts_contacts_stored_in_clear(owner, org_a):
    contact = customers.upsert_contact(org_a, "old", {"email": EMAIL, "phone": PHONE})
    with connection.cursor() as cursor:  # as the row was before the migration
        cursor.execute(
            "UPDATE customers_contact SET email = %s, phone = %s, email_key = %s, phone_key = %s "
            "WHERE id = %s",
            [EMAIL, PHONE, identifiers.email_key(EMAIL), identifiers.phone_key(PHONE), contact.pk],
        )
    assert found(owner, EMAIL) == []
    migration = importlib.import_module("openxm.customers.migrations.0006_encrypted_email_phone")
    migration.encrypt_contacts(apps, None)
    assert_encrypted(raw(org_a, "old"), EMAIL, PHONE)
    assert found(owner, EMAIL) == ["old"]
