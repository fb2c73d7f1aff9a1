"""Journeys, stages and touchpoints: services, documents, pages, API, roles and tenancy."""

import pytest

from openxm.accounts import services as accounts
from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.accounts.models import AuditEvent
from openxm.journeys import services

pytestmark = pytest.mark.django_db

DOC = {
    "key": "buy-online",
    "name": "Buy online",
    "owner_team": "E-commerce",
    "stages": [
        {
            "key": "aware",
            "name": "Aware",
            "touchpoints": [
                {
                    "key": "web.first-visit",
                    "name": "Website first visit",
                    "channel": "web",
                    "targets": {"nps": 20},
                },
            ],
        },
        {
            "key": "receive",
            "name": "Receive",
            "touchpoints": [
                {
                    "key": "delivery",
                    "name": "Delivery",
                    "channel": "delivery",
                    "owner_team": "Logistics",
                    "questions": ["post-delivery/csat"],
                    "targets": {"csat": 85, "ces": 5.5},
                    "blueprint": {
                        "customer_actions": ["Tracks the rider"],
                        "back_stage": ["Picking", "Routing"],
                    },
                },
            ],
        },
    ],
}


@pytest.fixture
def analyst(org_a, make_member):
    return accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")


@pytest.fixture
def viewer(org_a, make_member):
    return accounts.actor_for_user(make_member(org_a, "viewer"), org_a, via="web")


def test_create_journey_with_ordered_stages_and_touchpoints(analyst):
    services.create_journey(
        analyst, "get-support", "Get support", stages=[("reach", "Reach"), ("resolve", "Resolve")]
    )
    services.add_touchpoint(analyst, "get-support", "reach", "support.chat", name="Live chat", channel="chat")
    services.add_touchpoint(analyst, "get-support", "reach", "support.phone", name="Hotline", channel="phone")
    view = services.get_journey(analyst, "get-support")
    assert [s.key for s in view.stages] == ["reach", "resolve"]
    assert [t.key for t in view.stages[0].touchpoints] == ["support.chat", "support.phone"]
    services.move_stage(analyst, "get-support", "resolve", -1)
    assert [s.key for s in services.get_journey(analyst, "get-support").stages] == ["resolve", "reach"]
    assert AuditEvent.objects.for_org(analyst.organization).filter(action="touchpoint.created").count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"targets": {"nps": 140}}, "targets.nps"),
        ({"targets": {"csat": "high"}}, "targets.csat"),
        ({"targets": {"speed": 3}}, "targets.speed"),
        ({"blueprint": {"backstage": ["x"]}}, "blueprint.backstage"),
        ({"blueprint": {"front_stage": ["x" * 301]}}, "blueprint.front_stage[0]"),
        ({"questions": ["no-slash"]}, "questions[0]"),
        ({"channel": "pigeon"}, "channel"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_touchpoint_fields_are_named_and_nothing_changes(analyst, fields, field):
    services.import_journey(analyst, DOC)
    with pytest.raises(InvalidInput) as err:
        services.update_touchpoint(analyst, "delivery", **fields)
    assert err.value.field == field
    assert services.get_touchpoint(analyst, "delivery").targets == {"csat": 85.0, "ces": 5.5}


def test_targets_and_blueprint_lanes_are_stored(analyst):
    services.import_journey(analyst, DOC)
    info = services.update_touchpoint(
        analyst,
        "delivery",
        targets={"nps": "35", "csat": None},
        blueprint={"front_stage": "Rider hands over\n\nSMS"},
    )
    assert info.targets == {"nps": 35.0}
    assert info.blueprint == {
        "customer_actions": [],
        "front_stage": ["Rider hands over", "SMS"],
        "back_stage": [],
        "support_processes": [],
    }


def test_touchpoint_keys_are_unique_across_journeys(analyst):
    services.import_journey(analyst, DOC)
    services.create_journey(analyst, "other", "Other", stages=[("s", "S")])
    with pytest.raises(InvalidInput) as err:
        services.add_touchpoint(analyst, "other", "s", "delivery", name="Again")
    assert err.value.field == "key"
    with pytest.raises(InvalidInput, match="belongs to journey buy-online"):
        services.import_journey(
            analyst,
            {
                "key": "other",
                "name": "Other",
                "stages": [{"key": "s", "name": "S", "touchpoints": [{"key": "delivery", "name": "x"}]}],
            },
        )


def test_a_stage_with_touchpoints_cannot_be_deleted(analyst):
    services.import_journey(analyst, DOC)
    with pytest.raises(InvalidInput):
        services.delete_stage(analyst, "buy-online", "aware")
    services.delete_touchpoint(analyst, "web.first-visit")
    services.delete_stage(analyst, "buy-online", "aware")
    assert [s.key for s in services.get_journey(analyst, "buy-online").stages] == ["receive"]


def test_document_round_trip_and_reimport_makes_the_journey_match(analyst):
    view, created = services.import_journey(analyst, DOC)
    assert created and len(view.touchpoints) == 2
    exported = services.export_journey(analyst, "buy-online")
    assert services.parse_document(services.dump_document(exported)) == exported
    assert exported["stages"][1]["touchpoints"][0]["blueprint"]["back_stage"] == ["Picking", "Routing"]
    smaller = {**DOC, "stages": [DOC["stages"][1]]}
    view, created = services.import_journey(analyst, smaller)
    assert not created and [t.key for t in view.touchpoints] == ["delivery"]


def test_an_invalid_document_writes_nothing(analyst):
    bad = {
        **DOC,
        "stages": [
            *DOC["stages"],
            {"key": "x", "name": "X", "touchpoints": [{"key": "Bad Key", "name": "b"}]},
        ],
    }
    with pytest.raises(InvalidInput) as err:
        services.import_journey(analyst, bad)
    assert err.value.field == "stages[2].touchpoints[0].key"
    assert services.list_journeys(analyst) == []
    with pytest.raises(InvalidInput):
        services.parse_document("key: [unclosed")


def test_viewers_read_but_cannot_design(analyst, viewer):
    services.import_journey(analyst, DOC)
    assert services.get_journey(viewer, "buy-online").name == "Buy online"
    with pytest.raises(PermissionDenied):
        services.update_touchpoint(viewer, "delivery", name="x")
    with pytest.raises(PermissionDenied):
        services.import_journey(viewer, DOC)


def test_another_organization_sees_nothing(analyst, org_b, make_member):
    services.import_journey(analyst, DOC)
    other = accounts.actor_for_user(make_member(org_b, "admin"), org_b, via="web")
    assert services.list_journeys(other) == []
    with pytest.raises(NotFound):
        services.get_journey(other, "buy-online")
    with pytest.raises(NotFound):
        services.get_touchpoint(other, "delivery")
    assert services.touchpoint_directory(org_b) == {}


# --- Pages ------------------------------------------------------------------------------------


def test_pages_create_a_journey_and_fill_in_a_touchpoint(org_a, make_member, signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    response = client.post(
        "/journeys/", {"key": "buy-online", "name": "Buy online", "stages": "aware: Aware\nbuy: Buy"}
    )
    assert response.status_code == 302 and response["Location"] == "/journeys/buy-online/"
    client.post(
        "/journeys/buy-online/touchpoints/",
        {"key": "purchase", "name": "Purchase", "stage": "buy", "channel": "app"},
    )
    page = client.get("/journeys/buy-online/")
    assert "Purchase" in page.content.decode() and page.status_code == 200
    response = client.post(
        "/journeys/touchpoints/purchase/",
        {
            "name": "Purchase",
            "stage": "buy",
            "channel": "app",
            "target_nps": "40",
            "target_ces": "5.5",
            "lane_customer_actions": "Pays in the app\nGets a receipt",
            "lane_back_stage": "Fraud check",
            "questions": "purchase-csat/csat",
        },
    )
    assert response.status_code == 302
    body = client.get("/journeys/touchpoints/purchase/").content.decode()
    assert "Pays in the app" in body and "Fraud check" in body
    export = client.get("/journeys/buy-online/export/")
    assert b"Pays in the app" in export.content and export["Content-Type"] == "application/yaml"


def test_page_shows_the_field_error(org_a, make_member, signed_in):
    client = signed_in(make_member(org_a, "analyst"))
    client.post("/journeys/", {"key": "j", "name": "J", "stages": "s: S"})
    client.post("/journeys/j/touchpoints/", {"key": "tp", "name": "TP", "stage": "s"})
    response = client.post("/journeys/touchpoints/tp/", {"name": "TP", "stage": "s", "target_nps": "150"})
    assert response.status_code == 200 and "NPS target" in response.content.decode()


def test_viewer_page_has_no_edit_forms(org_a, make_member, signed_in, analyst):
    services.import_journey(analyst, DOC)
    client = signed_in(make_member(org_a, "viewer"))
    body = client.get("/journeys/buy-online/").content.decode()
    assert "Buy online" in body and "Add a touchpoint" not in body
    assert client.post("/journeys/buy-online/stages/", {"key": "x", "name": "X"}).status_code == 403


def test_yaml_import_page(org_a, make_member, signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(make_member(org_a, "analyst"))
    upload = SimpleUploadedFile("j.yaml", services.dump_document(DOC).encode())
    response = client.post("/journeys/import/", {"file": upload})
    assert response.status_code == 302 and response["Location"] == "/journeys/buy-online/"


# --- API --------------------------------------------------------------------------------------


def test_api_put_get_patch_and_errors(org_a, org_b, make_key, api):
    admin = api(make_key(org_a, "admin"))
    from django.test import Client

    client = Client()
    headers = {"Authorization": f"Bearer {make_key(org_a, 'analyst')}"}
    response = client.put(
        "/api/v1/journeys/buy-online", data=DOC, content_type="application/json", headers=headers
    )
    assert response.status_code == 200 and response.json() == {
        "key": "buy-online",
        "created": True,
        "stages": 2,
        "touchpoints": 2,
    }
    assert admin.get("/journeys").json()[0]["touchpoint_count"] == 2
    assert admin.get("/journeys/buy-online").json()["stages"][0]["key"] == "aware"
    response = client.patch(
        "/api/v1/touchpoints/delivery",
        data={"targets": {"nps": 30}},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200 and response.json()["targets"] == {"nps": 30.0}
    response = client.patch(
        "/api/v1/touchpoints/delivery",
        data={"targets": {"nps": 300}},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 422 and response.json()["field"] == "targets.nps"
    viewer = {"Authorization": f"Bearer {make_key(org_a, 'viewer')}"}
    response = client.patch(
        "/api/v1/touchpoints/delivery", data={"name": "x"}, content_type="application/json", headers=viewer
    )
    assert response.status_code == 403
    assert api(make_key(org_b, "admin")).get("/touchpoints/delivery").status_code == 404
