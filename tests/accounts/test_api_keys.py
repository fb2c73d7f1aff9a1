"""API keys: shown once, stored hashed, revocable."""

from openxm.accounts import services
from openxm.accounts.models import ApiKey


def test_key_is_stored_hashed_and_shown_once(org_a, make_key, api):
    raw = make_key(org_a, "analyst")
    stored = ApiKey.objects.for_org(org_a).get()
    assert raw not in (stored.key_hash, stored.prefix, stored.name)
    assert len(stored.key_hash) == 64 and stored.prefix in raw
    listed = api(raw).get("/api-keys")
    assert listed.status_code == 403  # analysts may not manage keys
    admin_key = make_key(org_a, "admin")
    body = api(admin_key).get("/api-keys").content.decode()
    assert raw not in body and admin_key not in body


def test_created_key_is_returned_once_by_the_api(org_a, make_key, api):
    response = api(make_key(org_a, "admin")).post("/api-keys", {"name": "etl", "role": "viewer"})
    assert response.status_code == 201
    new_key = response.json()["key"]
    assert api(new_key).get("/me").json()["role"] == "viewer"


def test_revoked_wrong_and_malformed_keys_are_refused(org_a, make_key, api):
    raw = make_key(org_a, "viewer")
    assert api(raw).get("/me").status_code == 200
    assert api(raw[:-1] + ("A" if raw[-1] != "A" else "B")).get("/me").status_code == 401
    assert api("not-a-key").get("/me").status_code == 401
    key = ApiKey.objects.for_org(org_a).get()
    services.revoke_api_key(services.operator_actor(org_a), key.id)
    assert api(raw).get("/me").status_code == 401


def test_x_api_key_header_works(org_a, make_key, client):
    raw = make_key(org_a, "viewer")
    response = client.get("/api/v1/me", headers={"X-API-Key": raw})
    assert response.status_code == 200 and response.json()["organization"] == org_a.slug


def test_cli_creates_a_working_key(org_a, capsys, api):
    from openxm.cli import main as cli

    assert cli(["apikey", "create", "--org", org_a.slug, "--role", "analyst", "--name", "etl"]) == 0
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("oxm_")
    assert api(raw).get("/me").json()["role"] == "analyst"
