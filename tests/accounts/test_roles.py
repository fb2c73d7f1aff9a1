"""The role table is enforced the same way in services, pages, the API and the CLI."""

import pytest

from openxm.accounts import services
from openxm.accounts.actors import PermissionDenied
from openxm.accounts.roles import ROLE_PERMISSIONS, Perm, Role, can_grant, role_has
from openxm.cli import main as cli

ROLES = [r.value for r in Role]


@pytest.mark.parametrize(
    ("role", "perm", "allowed"),
    [
        ("owner", Perm.ORG_MANAGE, True),
        ("admin", Perm.ORG_MANAGE, False),
        ("admin", Perm.MEMBERS_MANAGE, True),
        ("analyst", Perm.MEMBERS_MANAGE, False),
        ("analyst", Perm.DATA_EXPORT, True),
        ("analyst", Perm.PII_VIEW, False),
        ("agent", Perm.PII_VIEW, True),
        ("agent", Perm.DATA_EXPORT, False),
        ("agent", Perm.CASES_WORK, True),
        ("viewer", Perm.DASHBOARDS_VIEW, True),
        ("viewer", Perm.RESPONSES_VIEW, False),
    ],
)
def test_role_table(role, perm, allowed):
    assert role_has(role, perm) is allowed


def test_every_role_can_see_dashboards_and_only_owner_has_everything():
    assert all(Perm.DASHBOARDS_VIEW in perms for perms in ROLE_PERMISSIONS.values())
    assert ROLE_PERMISSIONS[Role.OWNER] == frozenset(Perm)


@pytest.mark.parametrize(
    ("granter", "role", "ok"),
    [
        ("owner", "owner", True),
        ("admin", "owner", False),
        ("admin", "admin", True),
        ("analyst", "viewer", True),
    ],
)
def test_can_grant(granter, role, ok):
    assert can_grant(granter, role) is ok


@pytest.fixture
def members(org_a, make_member):
    return {role: make_member(org_a, role) for role in ROLES}


# (role, may create units, may export units, may manage keys)
MATRIX = [
    ("owner", True, True, True),
    ("admin", True, True, True),
    ("analyst", False, True, False),
    ("agent", False, False, False),
    ("viewer", False, False, False),
]


@pytest.mark.parametrize(("role", "create", "export", "keys"), MATRIX)
def test_services_enforce_roles(org_a, members, role, create, export, keys):
    actor = services.actor_for_user(members[role], org_a, via="web")
    for allowed, call in [
        (create, lambda: services.create_unit(actor, f"u-{role}", "Unit", "store")),
        (export, lambda: services.export_units(actor)),
        (keys, lambda: services.create_api_key(actor, "k", "viewer")),
    ]:
        if allowed:
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()


@pytest.mark.parametrize(("role", "create", "export", "keys"), MATRIX)
def test_api_enforces_roles(org_a, make_key, api, role, create, export, keys):
    caller = api(make_key(org_a, role))
    created = caller.post("/units", {"code": f"u-{role}", "name": "Unit", "kind": "store"})
    assert created.status_code == (201 if create else 403)
    if not create:
        assert created.json()["permission"] == "units.manage"
    assert caller.get("/units/export").status_code == (200 if export else 403)
    assert caller.post("/api-keys", {"name": "k", "role": "viewer"}).status_code == (201 if keys else 403)


@pytest.mark.parametrize(("role", "create", "export", "keys"), MATRIX)
def test_pages_enforce_roles(org_a, members, signed_in, role, create, export, keys):
    client = signed_in(members[role])
    response = client.post("/settings/units/", {"code": f"u-{role}", "name": "Unit", "kind": "store"})
    assert response.status_code == (302 if create else 403)
    assert client.get("/settings/units/export.csv").status_code == (200 if export else 403)
    assert client.get("/settings/api-keys/").status_code == (200 if keys else 403)


@pytest.mark.parametrize(("role", "create", "export", "keys"), MATRIX)
def test_cli_enforces_roles(org_a, members, capsys, role, create, export, keys):
    code = cli(["units", "export", "--org", org_a.slug, "--user", members[role].email])
    assert code == (0 if export else 1)
    if not export:
        assert "data.export" in capsys.readouterr().err
    assert cli(["apikey", "list", "--org", org_a.slug, "--user", members[role].email]) == (0 if keys else 1)


def test_admin_cannot_grant_owner_or_demote_last_owner(org_a, members):
    admin = services.actor_for_user(members["admin"], org_a, via="web")
    with pytest.raises(services.InvalidInput) as err:
        services.create_api_key(admin, "k", "owner")
    assert err.value.field == "role"
    owner = services.actor_for_user(members["owner"], org_a, via="web")
    owner_membership = services.membership_in(members["owner"], org_a)
    with pytest.raises(services.InvalidInput, match="at least one owner"):
        services.change_role(owner, owner_membership.id, "admin")


def test_unknown_role_names_the_field(org_a, make_key, api):
    response = api(make_key(org_a, "owner")).post("/api-keys", {"name": "k", "role": "superuser"})
    assert response.status_code == 422
    assert response.json()["field"] == "role"
    assert "owner, admin, analyst, agent, viewer" in response.json()["detail"]
