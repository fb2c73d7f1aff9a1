"""The audit log records sign-ins, permission changes, key creation, exports and deletions,
and can't be changed afterwards."""

import pytest

from openxm.accounts import services
from openxm.accounts.models import AuditEvent
from tests.conftest import PASSWORD


def actions(org) -> list[str]:
    return list(AuditEvent.objects.for_org(org).order_by("id").values_list("action", flat=True))


def test_sign_in_and_failed_sign_in_are_recorded(org_a, make_member, client):
    user = make_member(org_a, "analyst")
    assert client.post("/accounts/login/", {"username": user.email, "password": "wrong"}).status_code == 200
    assert AuditEvent.objects.system().filter(action="auth.sign_in_failed", actor_label=user.email).exists()
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.for_org(org_a).filter(action="auth.signed_in").get()
    assert event.actor_user == user and event.ip_address == "127.0.0.1"


def test_role_change_key_creation_export_and_deletion_are_recorded(org_a, make_member):
    owner = services.actor_for_user(make_member(org_a, "owner"), org_a, via="web")
    viewer = make_member(org_a, "viewer")
    membership = services.membership_in(viewer, org_a)
    services.change_role(owner, membership.id, "analyst")
    services.create_api_key(owner, "etl", "analyst")
    services.create_unit(owner, "s1", "Store", "store")
    services.export_units(owner)
    services.delete_unit(owner, "s1")
    assert actions(org_a)[-5:] == [
        "member.role_changed",
        "apikey.created",
        "unit.created",
        "data.exported",
        "data.deleted",
    ]
    change = AuditEvent.objects.for_org(org_a).get(action="member.role_changed")
    assert change.data == {"from": "viewer", "to": "analyst", "email": viewer.email}
    assert change.actor_user == owner.user and change.via == "web"


def test_api_and_cli_actions_record_their_channel(org_a, make_key, api):
    api(make_key(org_a, "admin")).get("/units/export")
    event = AuditEvent.objects.for_org(org_a).filter(action="data.exported").get()
    assert event.via == "api" and event.actor_label.startswith("api-key:")


def test_audit_log_is_append_only(org_a, make_member):
    make_member(org_a, "admin")
    event = AuditEvent.objects.for_org(org_a).first()
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.for_org(org_a).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.unscoped.all().delete()
    assert not AuditEvent.unscoped.filter(action="tampered").exists()


def test_audit_export_is_itself_audited_and_csv_is_safe(org_a, make_member, signed_in):
    owner = make_member(org_a, "owner")
    actor = services.actor_for_user(owner, org_a, via="web")
    services.create_unit(actor, "s1", '=HYPERLINK("http://evil")', "store")
    client = signed_in(owner)
    body = client.get("/settings/units/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body  # neutralised formula
    client.get("/settings/audit/export.csv")
    assert actions(org_a)[-1] == "data.exported"
    assert AuditEvent.objects.for_org(org_a).filter(target_type="audit").exists()
