"""The privacy page and the API run the same requests as the CLI, for owners and admins only."""

import io
import json
import zipfile

from openxm.customers.models import Contact
from openxm.privacy.models import DataSubjectRequest


def test_page_finds_exports_and_erases(seed_person, org_a, make_member, signed_in):
    person = seed_person("echo")
    client = signed_in(make_member(org_a, "owner"))
    page = client.post("/privacy/", {"email": person.email, "action": "find"})
    assert page.status_code == 200 and "customers.Contact" in page.content.decode()
    client.post("/privacy/", {"email": person.email, "action": "export"})
    request = DataSubjectRequest.objects.for_org(org_a).get(kind="export")
    archive = client.get(f"/privacy/requests/{request.pk}/archive/")
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as z:
        assert person.email in z.read("data.json").decode()
    refused = client.post("/privacy/", {"email": person.email, "action": "erase"})
    assert "confirm" in refused.content.decode() and Contact.objects.for_org(org_a).exists()
    client.post("/privacy/", {"email": person.email, "action": "erase", "confirm": "yes"})
    assert not Contact.objects.for_org(org_a).exists()
    log = client.get("/privacy/").content.decode()
    assert person.email not in log and "e***@example.org" in log


def test_api_export_erase_and_log(seed_person, org_a, make_key, api):
    person = seed_person("foxtrot")
    caller = api(make_key(org_a, "admin"))
    found = caller.post("/privacy/find", {"phone": person.phone}).json()
    assert found["counts"]["customers.Contact"] == 2
    made = caller.post("/privacy/export", {"email": person.email})
    assert made.status_code == 201 and made.json()["archive_url"].endswith("/archive")
    erased = caller.post("/privacy/erase", {"email": person.email})
    assert erased.status_code == 201 and erased.json()["kind"] == "erase"
    assert [r["kind"] for r in caller.get("/privacy/requests").json()] == ["erase", "export"]
    bad = caller.post("/privacy/erase", {"email": person.email, "mode": "shred"})
    assert bad.status_code == 422 and "mode" in json.dumps(bad.json())


def test_analysts_are_refused(org_a, make_key, api):
    assert api(make_key(org_a, "analyst")).post("/privacy/export", {"email": "a@b.org"}).status_code == 403


def test_retention_page_sets_a_policy_and_shows_the_dry_run(org_a, make_member, signed_in):
    client = signed_in(make_member(org_a, "owner"))
    client.post("/privacy/retention/", {"action": "set", "data_type": "comments", "months": "24"})
    page = client.post("/privacy/retention/", {"action": "dry_run"}).content.decode()
    assert 'id="plan"' in page and "Raw comments" in page
    bad = client.post("/privacy/retention/", {"action": "set", "data_type": "comments", "months": "x"})
    assert "months" in bad.content.decode()
