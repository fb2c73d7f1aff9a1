"""Org A can never read, count, change or export org B's rows: services, pages, API and CLI.

Each test creates the same kind of row in both organizations and checks that only A's is
reachable by A. Removing the organization filter from TenantManager.for_org makes them fail.
"""

import pytest

from openxm.accounts import services
from openxm.accounts.models import ApiKey, Membership, Unit
from openxm.accounts.tenancy import TenancyError
from openxm.cli import main as cli


@pytest.fixture
def two_orgs(org_a, org_b, make_member):
    admin_a = make_member(org_a, "admin")
    admin_b = make_member(org_b, "admin")
    services.create_unit(services.operator_actor(org_a), "store-a", "Store A", "store")
    services.create_unit(services.operator_actor(org_b), "store-b", "Store B", "store")
    services.create_unit(services.operator_actor(org_b), "store-b2", "Store B2", "store")
    return org_a, org_b, admin_a, admin_b


def test_manager_refuses_unscoped_queries(two_orgs):
    with pytest.raises(TenancyError):
        list(Unit.objects.all())
    with pytest.raises(TenancyError):
        Unit.objects.count()
    with pytest.raises(TenancyError):
        Unit.objects.for_org(None)


def test_scoped_manager_returns_only_own_rows(two_orgs):
    org_a, org_b, *_ = two_orgs
    assert [u.code for u in Unit.objects.for_org(org_a)] == ["store-a"]
    assert Unit.objects.for_org(org_b).count() == 2
    assert Membership.objects.for_org(org_a).count() == 1


def test_services_count_and_list_only_own_rows(two_orgs):
    org_a, _, admin_a, _ = two_orgs
    actor = services.actor_for_user(admin_a, org_a, via="web")
    assert services.count_units(actor) == 1
    assert [u.code for u in services.list_units(actor)] == ["store-a"]
    assert [m.email for m in services.list_members(actor)] == [admin_a.email]


def test_service_cannot_change_other_orgs_rows(two_orgs):
    org_a, org_b, admin_a, _ = two_orgs
    actor = services.actor_for_user(admin_a, org_a, via="web")
    other_membership = Membership.objects.for_org(org_b).get()
    with pytest.raises(services.NotFound):
        services.change_role(actor, other_membership.id, "viewer")
    other_key = services.create_api_key(services.operator_actor(org_b), "b", "viewer").key
    with pytest.raises(services.NotFound):
        services.revoke_api_key(actor, other_key.id)
    assert ApiKey.objects.for_org(org_b).get(pk=other_key.pk).revoked_at is None
    with pytest.raises(services.NotFound):
        services.delete_unit(actor, "store-b")
    assert Unit.objects.for_org(org_b).filter(code="store-b").exists()


def test_pages_show_only_own_rows(two_orgs, signed_in):
    org_a, _, admin_a, _ = two_orgs
    client = signed_in(admin_a)
    page = client.get("/settings/units/").content.decode()
    assert "store-a" in page and "store-b" not in page
    members = client.get("/settings/members/").content.decode()
    assert "admin-org-a@example.com" in members and "admin-org-b@example.com" not in members
    export = client.get("/settings/units/export.csv").content.decode()
    assert "store-a" in export and "store-b" not in export


def test_page_cannot_switch_into_foreign_org(two_orgs, signed_in):
    _, org_b, admin_a, _ = two_orgs
    client = signed_in(admin_a)
    response = client.post("/org/switch/", {"organization": org_b.slug})
    assert response.status_code == 404
    assert "store-b" not in client.get("/settings/units/").content.decode()


def test_page_cannot_change_foreign_member(two_orgs, signed_in):
    org_a, org_b, admin_a, admin_b = two_orgs
    client = signed_in(admin_a)
    foreign = Membership.objects.for_org(org_b).get()
    response = client.post(f"/settings/members/{foreign.id}/role/", {"role": "viewer"})
    assert response.status_code == 404
    assert Membership.objects.for_org(org_b).get().role == "admin"


def test_api_reads_counts_and_exports_only_own_rows(two_orgs, make_key, api):
    org_a, org_b, *_ = two_orgs
    caller = api(make_key(org_a))
    assert [u["code"] for u in caller.get("/units").json()] == ["store-a"]
    assert caller.get("/me").json()["organization"] == "org-a"
    export = caller.get("/units/export").content.decode()
    assert "store-a" in export and "store-b" not in export
    assert caller.delete("/units/store-b").status_code == 404
    assert Unit.objects.for_org(org_b).filter(code="store-b").exists()


def test_api_session_cannot_name_foreign_org(two_orgs, client):
    _, org_b, admin_a, _ = two_orgs
    client.force_login(admin_a)
    response = client.get("/api/v1/units", headers={"X-OpenXM-Org": org_b.slug})
    assert response.status_code == 401


def test_api_session_naming_an_unknown_org_is_not_signed_in(two_orgs, client):
    _, _, admin_a, _ = two_orgs
    client.force_login(admin_a)
    assert client.get("/api/v1/units", headers={"X-OpenXM-Org": "no-such-org"}).status_code == 401
    own = client.get("/api/v1/units", headers={"X-OpenXM-Org": "org-a"})
    assert own.status_code == 200 and [u["code"] for u in own.json()] == ["store-a"]


def test_api_cannot_revoke_foreign_key(two_orgs, make_key, api):
    org_a, org_b, *_ = two_orgs
    other = services.create_api_key(services.operator_actor(org_b), "b", "viewer").key
    assert api(make_key(org_a)).post(f"/api-keys/{other.id}/revoke").status_code == 404
    assert ApiKey.objects.for_org(org_b).get(pk=other.pk).revoked_at is None


def test_cli_lists_and_exports_only_own_rows(two_orgs, capsys):
    org_a, _, admin_a, _ = two_orgs
    assert cli(["units", "list", "--org", "org-a", "--user", admin_a.email]) == 0
    out = capsys.readouterr().out
    assert "store-a" in out and "store-b" not in out
    assert cli(["units", "export", "--org", "org-a", "--user", admin_a.email]) == 0
    out = capsys.readouterr().out
    assert "store-a" in out and "store-b" not in out


def test_cli_refuses_member_of_other_org_and_foreign_key(two_orgs, make_key, capsys):
    _, _, admin_a, _ = two_orgs
    assert cli(["units", "list", "--org", "org-b", "--user", admin_a.email]) == 1
    assert "is not a member of 'org-b'" in capsys.readouterr().err
    key_a = make_key(two_orgs[0])
    assert cli(["units", "export", "--org", "org-b", "--api-key", key_a]) == 1
    assert "another organization" in capsys.readouterr().err
