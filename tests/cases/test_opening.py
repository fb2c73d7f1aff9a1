"""Opening cases: from an alert rule's ``case`` action exactly once per response (retries and
re-evaluation included), from a response page, by hand; assignment rules; unit scope."""

import pytest
from django.db import IntegrityError, transaction

from openxm.accounts import services as accounts
from openxm.accounts.actors import PermissionDenied
from openxm.accounts.errors import InvalidInput, NotFound
from openxm.alerts import services as alerts
from openxm.alerts.evaluate import evaluate_responses
from openxm.cases import actions, config, services
from openxm.cases.models import Case, CaseEvent

DETRACTORS = {"score": "nps", "op": "lte", "value": 6}


def _rule(actor, actions_, key="detractors"):
    alerts.save_rule(actor, key, "Detractors", DETRACTORS, actions_)


def test_a_rule_opens_exactly_one_case_per_response_also_on_retry(org_a, admin, units, respond, nps_survey):
    _rule(admin, [{"case": {"priority": "high"}}])
    first = respond(2, "r-1", unit="sh-jingan", comment="等了一个小时", customer="c-1")
    respond(9, "r-2", unit="sh-jingan")
    again = respond(2, "r-1", unit="sh-jingan", comment="等了一个小时", customer="c-1")  # client retry
    assert again.pk == first.pk
    assert evaluate_responses(org_a, [first.pk], text=False) == 0  # evaluating again
    cases = list(Case.objects.for_org(org_a))
    assert len(cases) == 1
    case = cases[0]
    assert (case.response_id, case.priority, case.source, case.state) == (first.pk, "high", "rule", "new")
    assert case.unit.code == "sh-jingan" and case.contact.external_id == "c-1"
    assert (case.score_type, case.score) == ("nps", 2)
    assert case.alert is not None and case.rule.key == "detractors"
    assert [e.kind for e in CaseEvent.objects.for_org(org_a).filter(case=case)] == ["opened"]
    # The service that opens for a rule refuses a second case for the same pair.
    assert services.open_for_rule(case.rule, case.alert, first, admin, {}) is None


def test_the_database_refuses_a_second_case_for_the_same_rule_and_response(org_a, admin, respond):
    _rule(admin, [{"case": {}}])
    r = respond(1, "x")
    case = Case.objects.for_org(org_a).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.for_org(org_a).create(
            organization=org_a, title="again", source="rule", rule=case.rule, response=r
        )
    # Without a rule a response also has at most one case.
    Case.objects.for_org(org_a).create(organization=org_a, title="by hand", source="manual", response=r)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.for_org(org_a).create(organization=org_a, title="twice", source="manual", response=r)


def test_a_rule_without_a_case_action_opens_nothing_and_a_bad_action_is_refused(org_a, admin, respond):
    _rule(admin, [{"notify": [admin.user.email]}])
    respond(1, "x")
    assert Case.objects.for_org(org_a).count() == 0
    with pytest.raises(InvalidInput) as err:
        _rule(admin, [{"case": {"priority": "asap", "assign": "nobody"}}], key="bad")
    assert "actions[0].case.priority" in str(err.value) and "actions[0].case.assign" in str(err.value)


def test_priority_comes_from_the_score_when_the_rule_gives_none(org_a, admin, respond):
    _rule(admin, [{"case": {}}])
    respond(2, "a")
    respond(5, "b")
    assert sorted(Case.objects.for_org(org_a).values_list("score", "priority")) == [
        (2.0, "high"),
        (5.0, "normal"),
    ]


def test_opening_from_a_response_page_is_idempotent(org_a, admin, actor_for, units, respond):
    agent = actor_for("agent")
    r = respond(3, "p", unit="bj", customer="c-9")
    one = services.open_case(agent, response_id=r.pk, source=Case.Source.RESPONSE)
    two = services.open_case(agent, response_id=r.pk, source=Case.Source.RESPONSE)
    assert one.pk == two.pk and one.unit.code == "bj" and one.contact.external_id == "c-9"
    assert one.title.startswith(f"Response {r.pk}")


def test_opening_by_hand_checks_its_input(org_a, actor_for, units):
    agent = actor_for("agent")
    with pytest.raises(InvalidInput, match="title"):
        services.open_case(agent, title="  ")
    with pytest.raises(InvalidInput, match="priority"):
        services.open_case(agent, title="x", priority="asap")
    with pytest.raises(NotFound):
        services.open_case(agent, title="x", unit="nowhere")
    case = services.open_case(agent, title="Customer called about a refund", unit="sh", priority="urgent")
    assert (case.priority, case.unit.code, case.source) == ("urgent", "sh", "manual")
    viewer = actor_for("viewer")
    with pytest.raises(PermissionDenied):
        services.open_case(viewer, title="x")


def test_unit_scope_limits_what_an_agent_sees_and_opens(org_a, admin, units, make_member, respond):
    _rule(admin, [{"case": {}}])
    respond(1, "sh", unit="sh-jingan")
    respond(1, "bj", unit="bj")
    respond(1, "none")
    membership = accounts.set_member(admin, "store@example.com", "agent", unit="sh")
    store = accounts.actor_for_user(membership.user, org_a, via="web")
    assert [c.unit.code for c in services.list_cases(store)] == ["sh-jingan"]
    other = Case.objects.for_org(org_a).get(unit__code="bj")
    with pytest.raises(NotFound):
        services.get_case(store, other.pk)
    with pytest.raises(NotFound):
        actions.transition(store, other.pk, "in_progress")
    with pytest.raises(InvalidInput, match="unit"):
        services.open_case(store, title="no unit")
    assert len(services.list_cases(admin)) == 3


def test_assignment_rules(org_a, admin, units, make_member, respond):
    a = make_member(org_a, "agent", "a@example.com")
    b = make_member(org_a, "agent", "b@example.com")
    owner = make_member(org_a, "agent", "owner@example.com")
    config.save_team(admin, "care", "Customer care", ["a@example.com", "b@example.com"])
    config.set_unit(admin, "sh", owner="owner@example.com")

    _rule(admin, [{"case": {"assign": "round_robin:care"}}], key="rr")
    for i in range(4):
        respond(1, f"rr{i}")
    got = list(Case.objects.for_org(org_a).order_by("pk").values_list("assignee__email", flat=True))
    assert got == ["a@example.com", "b@example.com", "a@example.com", "b@example.com"]

    # Least loaded: a has resolved one of her cases, so she has fewer open ones.
    first = Case.objects.for_org(org_a).order_by("pk").first()
    actions.transition(accounts.actor_for_user(a, org_a, via="web"), first.pk, "resolved")
    alerts.set_rule_enabled(admin, "rr", False)
    _rule(admin, [{"case": {"assign": "least_loaded:care"}}], key="ll")
    respond(1, "ll")
    assert Case.objects.for_org(org_a).order_by("-pk").first().assignee == a

    # Team queue: no assignee, the team's members see it in "my team's queue".
    alerts.set_rule_enabled(admin, "ll", False)
    _rule(admin, [{"case": {"assign": "team:care"}}], key="q")
    respond(1, "q")
    queued = Case.objects.for_org(org_a).order_by("-pk").first()
    assert queued.assignee is None and queued.team.key == "care"
    b_actor = accounts.actor_for_user(b, org_a, via="web")
    assert [c.pk for c in services.list_cases(b_actor, services.Filters(view="team"))] == [queued.pk]
    # Taking it: moving to in progress assigns it to whoever took it.
    actions.transition(b_actor, queued.pk, "in_progress")
    assert Case.objects.for_org(org_a).get(pk=queued.pk).assignee == b

    # The unit's owner, inherited from the parent unit (sh-jingan → sh).
    alerts.set_rule_enabled(admin, "q", False)
    _rule(admin, [{"case": {"assign": "owner"}}], key="own")
    respond(1, "own", unit="sh-jingan")
    assert Case.objects.for_org(org_a).order_by("-pk").first().assignee == owner
    respond(1, "own-bj", unit="bj")
    assert Case.objects.for_org(org_a).order_by("-pk").first().assignee is None


def test_a_tiers_service_hours_set_its_cases_sla_targets(org_a, admin, respond):
    from openxm.cases.clocks import case_clocks, settings_of, target_table
    from openxm.customers import tiers

    _rule(admin, [{"case": {"priority": "high"}}])
    respond(1, "t")
    case = Case.objects.for_org(org_a).get()
    base = target_table(settings_of(org_a)).for_case("high")
    Case.objects.for_org(org_a).filter(pk=case.pk).update(tier="champions")
    case.refresh_from_db()
    assert target_table(settings_of(org_a)).for_case("high", "champions") == base  # no tier hours yet

    owner = accounts.operator_actor(org_a)
    tiers.save_settings(owner, "champions", {"case_priority": "urgent", "first_response_hours": 1})
    table = target_table(settings_of(org_a))
    # The tier promises a first response within the hour (stricter than high's 2); its empty
    # resolution keeps the priority's; a lenient tier hour never loosens a priority.
    assert table.for_case("high", "champions").first_response == 3600.0
    assert table.for_case("high", "champions").resolution == base.resolution
    assert table.for_case("high", "loyal") == base  # other tiers as before
    clocks, _risk = case_clocks(case, settings=settings_of(org_a))
    assert clocks["first_response"].target == 3600.0
    tiers.save_settings(owner, "champions", {"case_priority": "urgent", "first_response_hours": 5})
    assert target_table(settings_of(org_a)).for_case("high", "champions") == base


def test_a_tiers_recovery_budget_caps_what_one_case_may_cost(org_a, admin, respond):
    from openxm.customers import tiers

    _rule(admin, [{"case": {}}])
    respond(1, "b")
    case = Case.objects.for_org(org_a).get()
    Case.objects.for_org(org_a).filter(pk=case.pk).update(tier="loyal")
    tiers.save_settings(accounts.operator_actor(org_a), "loyal", {"recovery_budget": "50"})
    with pytest.raises(InvalidInput) as err:
        actions.transition(admin, case.pk, "resolved", cost="80")
    assert err.value.field == "cost" and "50" in err.value.message
    case.refresh_from_db()
    assert case.state == "new" and case.recovery_cost is None  # nothing half-written
    actions.transition(admin, case.pk, "resolved", cost="50")
    case.refresh_from_db()
    assert case.state == "resolved" and str(case.recovery_cost) == "50.00"
