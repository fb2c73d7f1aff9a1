"""Data-subject requests are complete: every model is accounted for, the export holds the person's
rows from every covered model, and the erasure leaves nothing of them anywhere in the database.

New models are caught here: a model of openxm that is neither covered by a hook nor exempt, or
exempt while it has a column that refers to a person, fails the first test; a covered model the
seeding does not fill fails the second.
"""

import json
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from openxm import personal_data
from openxm.customers.models import Contact
from openxm.insights.verify import verify
from openxm.privacy import services
from openxm.privacy.models import DataSubjectRequest
from openxm.surveys.models import Response


def openxm_models():
    return [m for m in apps.get_models() if m.__module__.startswith("openxm.")]


def test_every_model_is_covered_by_a_hook_or_exempt_with_reason():
    covered, exempt = personal_data.covered(), personal_data.exemptions()
    labels = {m._meta.label for m in openxm_models()}
    assert not (set(covered) & set(exempt)), "a model is both covered and exempt"
    assert labels - set(covered) - set(exempt) == set(), "models with no hook and no exemption"
    assert set(covered) - labels == set() and set(exempt) - labels == set(), "hooks name unknown models"
    for model in openxm_models():
        label = model._meta.label
        if label in exempt:
            unexplained = set(personal_data.personal_markers(model)) - set(exempt[label].staff_fields)
            assert not unexplained, f"{label} is exempt but {sorted(unexplained)} refer to a person"


def test_the_marker_catches_a_new_model_with_a_contact_column():
    class Meta:
        app_label = "privacy"

    from django.db import models

    attrs = {
        "__module__": "openxm.privacy.models",
        "Meta": Meta,
        "contact": models.ForeignKey("customers.Contact", on_delete=models.CASCADE),
        "mobile_no": models.CharField(max_length=20),
        "note": models.TextField(),
    }
    model = type("ProbeCase", (models.Model,), attrs)
    try:
        assert personal_data.personal_markers(model) == ["contact", "mobile_no"]
    finally:
        apps.all_models["privacy"].pop("probecase", None)
        apps.clear_cache()


def database_text() -> str:
    """Every row of every table, as one text: what a raw dump of the database would show."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(r) for r in cursor.fetchall())
    return "\n".join(chunks).lower()


@pytest.mark.django_db(transaction=False)
def test_export_holds_every_covered_model_and_erasure_leaves_nothing(owner, seed_person, org_a):
    person, other = seed_person("alpha"), seed_person("bravo")
    before = database_text()
    for marker in person.markers + other.markers:
        assert marker.lower() in before

    request = services.export_request(owner, email=person.email)
    path = Path(settings.MEDIA_ROOT) / request.archive_path
    with zipfile.ZipFile(path) as z:
        document = json.loads(z.read("data.json"))
        csv_names = set(z.namelist())
    tables = document["tables"]
    assert set(tables) == set(personal_data.covered())
    empty = {label for label, rows in tables.items() if not rows}
    assert empty == set(), f"the seeding or a hook missed {sorted(empty)}"
    assert {f"{label}.csv" for label in tables} <= csv_names
    text = json.dumps(tables, ensure_ascii=False).lower()
    for marker in person.markers:
        assert marker.lower() in text
    for marker in other.markers:
        assert marker.lower() not in text, "another person's data in the export"
    assert len(tables["surveys.Response"]) == 2  # the contact's and the anonymous link's
    assert len(tables["customers.Contact"]) == 2  # the contact and the record merged into it
    assert request.status == DataSubjectRequest.Status.COMPLETED and request.due_at > request.received_at

    erased = services.erase_request(owner, email=person.email)
    assert erased.counts["surveys.Response"] == 2
    after = database_text()
    for marker in person.markers:
        assert marker.lower() not in after, f"{marker} is still in the database"
    for marker in other.markers:
        assert marker.lower() in after, "the other person's data went too"
    assert services.find_subject(owner, email=person.email).total == 0
    assert verify(org_a) == []  # the rollups still equal the raw answers
    actions = set(audit_actions(org_a))
    assert {"privacy.exported", "privacy.erased", "data.deleted"} <= actions


def audit_actions(org):
    from openxm.accounts.models import AuditEvent

    return AuditEvent.objects.for_org(org).values_list("action", flat=True)


def test_anonymising_keeps_the_scores_without_the_person(owner, seed_person, org_a):
    person = seed_person("charlie")
    services.erase_request(owner, mode="anonymise", phone=person.phone)
    kept = Response.objects.for_org(org_a).order_by("pk")
    assert sorted(r.answers.get("nps") for r in kept) == [2, 9]
    assert all(r.contact_id is None for r in kept)
    assert not Contact.objects.for_org(org_a).exists()
    after = database_text()
    for marker in (person.email, person.phone, person.wechat, person.external_id):
        assert marker.lower() not in after
    assert verify(org_a) == []


def test_a_request_needs_an_identifier_and_the_permission(owner, actor_for_role):
    from openxm.accounts.actors import PermissionDenied
    from openxm.accounts.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        services.export_request(owner)
    assert error.value.field == "email"
    with pytest.raises(InvalidInput) as error:
        services.erase_request(owner, email="not-an-address")
    assert error.value.field == "email"
    with pytest.raises(PermissionDenied):
        services.export_request(actor_for_role("analyst"), email="a@example.org")
    assert not DataSubjectRequest.objects.for_org(owner.organization).exists()
