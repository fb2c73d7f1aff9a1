"""The demo company loads, has a member in every role, and loads twice without duplicates."""

from openxm.accounts import services
from openxm.accounts.models import Membership, Unit
from openxm.accounts.roles import Role
from openxm.demo.company import DEMO_SLUG, PEOPLE, UNITS
from openxm.distribution.conf import absolute
from openxm.utils import public_address


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
    monkeypatch.delenv("OPENXM_PUBLIC_URL", raising=False)
    monkeypatch.setattr(public_address, "_server_url", "")  # restored after: the port set below
    assert main(["demo", "--no-serve", "--no-browser", "--port", "8765"]) == 0
    out = capsys.readouterr().out
    # Links made while the demo loads (the alert e-mails its rules send once responses commit,
    # printed on the console) point at the address it serves on, not at localhost:8000.
    assert absolute("/responses/1/") == "http://127.0.0.1:8765/responses/1/"
    assert "localhost:8000" not in out
    password = (tmp_path / "demo-password").read_text().strip()
    assert f"Password for every demo user: {password}" in out
    assert "admin@demo.openxm.local" in out
    # The closed loop: a complaint opened a case, resolved with a voucher, followed up as a promoter.
    assert "with a voucher; recovery rate 1/1" in out
    assert (tmp_path / "secret-key").stat().st_mode & 0o777 == 0o600
    _demo_alerts_fired()
    _demo_episode_on_the_dashboard()
    _demo_plans_measured()
    _demo_customers_valued()
    _demo_complaint_called_the_webhook()


def _demo_customers_valued():
    """Issue 15's demo: the at-risk list holds customers with a named tier, a CLV and a churn
    risk of at least 0.5, highest CLV first, and the first one's timeline has their purchases."""
    from openxm.profiles import directory, timeline

    org = services.get_organization(DEMO_SLUG)
    admin = services.actor_for_user(services.bootstrap_user("admin@demo.openxm.local", None), org, "web")
    rows = directory.at_risk(admin, 0.5, 20)
    assert len(rows) >= 5
    clvs = [v.clv for _card, v in rows]
    assert clvs == sorted(clvs, reverse=True) and clvs[0] > 0
    first, stored = rows[0]
    assert first.tier_label and stored.churn_risk >= 0.5 and stored.churn_reasons
    assert "event" in {i.kind for i in timeline.timeline(admin, first.pk)}


def _demo_complaint_called_the_webhook():
    """The complaint's alert was handed to the service desk's webhook (its delivery recorded;
    the demo has no receiver) and opened the case that was resolved with a voucher."""
    from openxm.alerts.models import Delivery
    from openxm.cases.models import Case

    org = services.get_organization(DEMO_SLUG)
    case = Case.objects.for_org(org).get(rule__key="detractors")
    assert case.recovery_action.key == "voucher" and case.followup_score == 9
    delivery = Delivery.objects.for_org(org).get(alert=case.alert)
    assert delivery.webhook.key == "service-desk" and delivery.event["type"] == "alert.fired"


def _demo_plans_measured():
    """The demo's action plan on the planted CSAT improvement of the East stores measures it
    against the North stores, the one on a root cause measures it on the cases, and the plan
    that went live five days ago says not enough data yet."""
    from openxm.plans import measure
    from openxm.plans import services as plans

    org = services.get_organization(DEMO_SLUG)
    analyst = services.actor_for_user(services.bootstrap_user("analyst@demo.openxm.local", None), org, "web")
    by_metric = {p.metric: p for p in plans.list_plans(analyst)}
    queue = measure.impact(analyst, by_metric["csat"].pk)
    assert queue.did.verdict == "improved", [(c.label, c.n, c.estimate) for c in queue.did.cells]
    assert min(c.n for c in queue.did.cells) >= measure.RULES.min_n
    # The plan on the root cause "late delivery" reads the cases' root causes: the share of
    # responses whose case was a late delivery fell after the delivery-slot promise went live.
    promise = by_metric["root_cause_share"]
    assert promise.root_cause == "late-delivery"
    late = measure.impact(analyst, promise.pk).before_after
    assert late.verdict == "improved", [(c.label, c.n, c.estimate) for c in late.cells]
    assert late.effect < 0 and min(c.n for c in late.cells) >= measure.RULES.min_n
    callback = measure.impact(analyst, by_metric["ces"].pk)
    assert callback.before_after.verdict == "not_enough_data"
    assert "window_after" in callback.before_after.reasons


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


def _demo_episode_on_the_dashboard():
    """The courier incident opened an early-warning episode for the delivery touchpoint, and the
    executive dashboard, the "Buy online" journey map and the episode page show it."""
    from django.test import Client

    from openxm.alerts.models import Episode

    org = services.get_organization(DEMO_SLUG)
    episode = Episode.objects.for_org(org).get(
        dimension="touchpoint", subject="app.delivery", metric="nps", kind="drop", closed_at__isnull=True
    )
    # Its CSAT answers (1 or 2) pull the touchpoint's top-2-box down too.
    assert (
        Episode.objects.for_org(org)
        .filter(
            dimension="touchpoint",
            subject="app.delivery",
            metric="top2box",
            kind="drop",
            closed_at__isnull=True,
        )
        .exists()
    )
    assert episode.evidence["series"][-1]["ewma"] < -episode.evidence["series"][-1]["limit"]
    client = Client()
    client.force_login(services.bootstrap_user("admin@demo.openxm.local", None))
    link = f'href="/alerts/early-warning/{episode.pk}/"'
    for url in ("/insights/dashboards/executive/", "/insights/journeys/buy-online/"):
        page = client.get(url).content.decode()
        assert 'id="early-warning"' in page and link in page, url
    page = client.get(f"/alerts/early-warning/{episode.pk}/").content.decode()
    assert "courier" in page or "快递" in page  # the comments that drove it


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
