"""The demo's studies load once, and show what their simulated answers were built to show."""

from openxm.accounts import services as accounts
from openxm.analysis import present, services
from openxm.demo import company, studies
from openxm.demo.loader import DemoContext, steps
from openxm.surveys.models import Response


def test_demo_studies_find_the_simulated_structure_and_load_idempotently(db, monkeypatch):
    # Fewer responses than the demo's own (the e2e test loads those): the structure shows already.
    for name, count in (("KANO_RESPONSES", 120), ("SERVQUAL_RESPONSES", 60), ("CSAT_RESPONSES", 160)):
        monkeypatch.setattr(studies, name, count)
    assert "studies" in [s.name for s in steps()]
    ctx = DemoContext(password="demo-password-123")
    company.load_company(ctx)
    studies.load_studies(ctx)
    responses = Response.objects.for_org(ctx.organization).count()
    studies.load_studies(ctx)
    assert Response.objects.for_org(ctx.organization).count() == responses == (
        studies.KANO_RESPONSES + studies.SERVQUAL_RESPONSES + studies.CSAT_RESPONSES)

    # The demo's viewers are limited to a store or a region; the analyst sees the whole company.
    viewer = accounts.actor_for_user(ctx.users["analyst"], ctx.organization, via="web")
    found = {row.kind: present.present(services.run_study(viewer, row.id))
             for row in services.list_studies(viewer)}
    assert sorted(found) == ["drivers", "ipa", "kano", "servqual"]

    categories = {f["feature"]: f["category"] for f in found["kano"]["result"]["features"]}
    assert categories == {"live_tracking": "O", "delivery_slots": "M", "contactless": "A",
                          "substitutions": "M", "one_tap_reorder": "A", "recommendations": "I"}
    servqual = found["servqual"]["result"]
    assert all(d["gap"] < 0 and d["ci_high"] < 0 for d in servqual["dimensions"])
    assert servqual["largest_gap"]["dimension"] == "responsiveness"
    assert servqual["weighted"] is not None
    weights = found["drivers"]["result"]["weights"]
    assert weights[0]["driver"] == "parts.availability" and weights[-1]["driver"] == "parts.checkout"
    assert all(w["ci_low"] is not None for w in weights)
    actions = {a["attribute"]: a["action"] for a in found["ipa"]["result"]["attributes"]}
    assert actions["parts.availability"] in ("Keep up the good work", "Concentrate here")
