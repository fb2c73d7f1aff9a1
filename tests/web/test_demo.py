"""The demo company loads, has a member in every role, and loads twice without duplicates."""

from openxm.accounts import services
from openxm.accounts.models import Membership, Unit
from openxm.accounts.roles import Role
from openxm.demo.company import DEMO_SLUG, PEOPLE, UNITS


def test_demo_company_has_every_role_and_loads_idempotently(db):
    # The company step only: the whole demo (12 months of responses) loads once, in the command test.
    from openxm.demo.company import load_company
    from openxm.demo.loader import DemoContext

    load_company(DemoContext(password="demo-password-123"))
    load_company(DemoContext(password="demo-password-123"))
    org = services.get_organization(DEMO_SLUG)
    roles = set(Membership.objects.for_org(org).values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    assert Membership.objects.for_org(org).count() == len(PEOPLE)
    assert Unit.objects.for_org(org).count() == len(UNITS)
    stores = Unit.objects.for_org(org).filter(kind="store")
    assert all(s.parent is not None for s in stores)
    admin = services.bootstrap_user("admin@demo.openxm.local", None)
    assert admin.check_password("demo-password-123")
    assert len(services.memberships_of(admin)) == 2  # the switcher has somewhere to go


def test_demo_command_loads_without_serving(db, capsys, monkeypatch, tmp_path):
    from openxm.cli import main

    monkeypatch.setenv("OPENXM_HOME", str(tmp_path))
    # The demo generates its own key when none is configured; the environment is restored after.
    monkeypatch.delenv("OPENXM_SECRET_KEY")
    monkeypatch.delenv("OPENXM_INSECURE_COOKIES", raising=False)
    assert main(["demo", "--no-serve", "--no-browser"]) == 0
    out = capsys.readouterr().out
    password = (tmp_path / "demo-password").read_text().strip()
    assert f"Password for every demo user: {password}" in out
    assert "admin@demo.openxm.local" in out
    # The closed loop: a complaint opened a case, resolved with a voucher, followed up as a promoter.
    assert "with a voucher; recovery rate 1/1" in out
    assert (tmp_path / "secret-key").stat().st_mode & 0o777 == 0o600
    _demo_alerts_fired()


def _demo_alerts_fired():
    """The demo's rules fired on its data: the admin's inbox holds detractor and churn alerts,
    the Jing'an store manager's only her store's."""
    from openxm.alerts import services as alerts

    org = services.get_organization(DEMO_SLUG)
    admin = services.actor_for_user(services.bootstrap_user("admin@demo.openxm.local", None), org, "web")
    store = services.actor_for_user(
        services.bootstrap_user("store.jingan@demo.openxm.local", None), org, "web"
    )
    titles = {row.title for row in alerts.inbox(admin, limit=1000)}
    assert any("detractors" in t.lower() for t in titles) and any("churn" in t.lower() for t in titles)
    assert alerts.unread_count(admin) > 0
    mine = alerts.inbox(store, limit=1000)
    assert mine and alerts.unread_count(store) < alerts.unread_count(admin)
    ids = {row.response_id for row in mine}
    from openxm.surveys import door

    assert set(door.responses(store.scope).filter(pk__in=ids).values_list("pk", flat=True)) == ids


def test_library_step_publishes_every_template(db):
    from openxm.demo.company import load_company
    from openxm.demo.library import load_library
    from openxm.demo.loader import DemoContext
    from openxm.surveys import services as surveys

    ctx = DemoContext(password="demo-password-123")
    load_company(ctx)
    load_library(ctx)
    actor = services.operator_actor(ctx.organization)
    published = {s.key for s in surveys.list_surveys(actor) if s.version == 1}
    assert published == {t["key"] for t in surveys.list_templates("en")}
