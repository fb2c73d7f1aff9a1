"""After resolution the customer gets the follow-up survey through the contact rules; the answer
lands on the case and moves the recovery rate. The control group is drawn, held out and
never followed up."""

from openxm.alerts import services as alerts
from openxm.cases import actions, config, control, metrics
from openxm.cases.models import Case, CaseEvent
from openxm.distribution import services as distribution
from openxm.distribution.models import Invitation


def _followup(org_a, admin, nps_survey):
    dist = distribution.create_distribution(admin, nps_survey.pk, "email", name="Follow-up")
    config.update_settings(admin, followup_distributions=[dist.pk])
    return dist


def test_resolving_sends_the_follow_up_and_its_answer_moves_the_recovery_rate(
    org_a, admin, actor_for, units, respond, nps_survey, django_capture_on_commit_callbacks
):
    _followup(org_a, admin, nps_survey)
    alerts.save_rule(admin, "d", "D", {"score": "nps", "op": "lte", "value": 6}, [{"case": {}}])
    respond(2, "r-1", unit="sh", customer="c-1", comment="没人接电话")
    case = Case.objects.for_org(org_a).get()
    agent = actor_for("agent")
    before = metrics.summary(agent)["recovery"]
    assert before["n"] == 0 and before["rate"] is None
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(agent, case.pk, "resolved", "called back and apologised")
    invitation = Invitation.unscoped.get(organization=org_a, contact_id=case.contact_id)
    assert invitation.hidden == {"case": str(case.pk)}
    case.refresh_from_db()
    assert case.followup_sent_at is not None

    from openxm.surveys import collect

    sub = collect.Submission(
        answers={"nps": 9},
        idempotency_key="f-1",
        hidden={"case": str(case.pk)},
        contact=collect.ContactRef("c-1"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        collect.record_response(org_a, nps_survey, sub)
    case.refresh_from_db()
    assert case.followup_score == 9
    after = metrics.summary(agent)
    assert after["recovery"]["n"] == 1 and after["recovery"]["rate"] == 1.0
    assert after["by"]["unit"][0]["key"] == "sh"
    # A second resolution (after reopening) sends no second follow-up.
    actions.transition(agent, case.pk, "reopened")
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(agent, case.pk, "resolved")
    assert Invitation.unscoped.filter(organization=org_a, contact_id=case.contact_id).count() == 1


def test_a_follow_up_from_another_customer_is_not_taken(org_a, admin, units, respond, nps_survey):
    alerts.save_rule(admin, "d", "D", {"score": "nps", "op": "lte", "value": 6}, [{"case": {}}])
    respond(2, "r-1", customer="c-1")
    case = Case.objects.for_org(org_a).get()
    from openxm.surveys import collect

    sub = collect.Submission(
        answers={"nps": 10},
        idempotency_key="f-x",
        hidden={"case": str(case.pk)},
        contact=collect.ContactRef("c-2"),
    )
    collect.record_response(org_a, nps_survey, sub)
    case.refresh_from_db()
    assert case.followup_score is None


def test_no_follow_up_without_settings_or_for_an_opted_out_customer(
    org_a, admin, actor_for, units, respond, nps_survey, django_capture_on_commit_callbacks
):
    alerts.save_rule(admin, "d", "D", {"score": "nps", "op": "lte", "value": 6}, [{"case": {}}])
    respond(2, "a", customer="c-1")
    case = Case.objects.for_org(org_a).get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(actor_for("agent"), case.pk, "resolved")
    case.refresh_from_db()
    assert case.followup_sent_at is None  # no follow-up distribution set: nothing sent, nothing logged
    assert not CaseEvent.objects.for_org(org_a).filter(case=case, kind="followup").exists()

    _followup(org_a, admin, nps_survey)
    respond(1, "b", customer="c-2")
    other = Case.objects.for_org(org_a).get(contact__external_id="c-2")
    from openxm.distribution import invitations

    invitations.unsubscribe_contact(
        org_a, other.contact, invitation=None, channel="email", addresses=["c-2@example.com"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(actor_for("agent"), other.pk, "resolved")
    outcome = CaseEvent.objects.for_org(org_a).get(case=other, kind="followup").data["outcome"]
    assert outcome not in ("invited", "no_followup")
    assert not Invitation.unscoped.filter(organization=org_a, contact=other.contact).exists()


def test_the_control_group_holds_out_eligible_detractors_only(org_a, admin, actor_for, units, respond):
    config.update_settings(admin, control_share=0.5)
    alerts.save_rule(admin, "d", "D", {"score": "nps", "op": "lte", "value": 6}, [{"case": {}}])
    respond(2, "a", customer="c-1")
    respond(3, "b")  # no customer: never held out
    held = Case.objects.for_org(org_a).get(contact__external_id="c-1")
    anonymous = Case.objects.for_org(org_a).get(contact__isnull=True)
    held.held_out = False
    held.save()
    assert control.draw(held, share=1.0) is True
    assert control.draw(anonymous, share=1.0) is False
    held.refresh_from_db()
    assert held.held_out and held.assignee is None
    agent = actor_for("agent")
    from openxm.cases import services

    assert held.pk not in [c.pk for c in services.list_cases(agent, services.Filters(view="open"))]
    assert metrics.summary(agent)["control"]["experiment"] is True


def test_no_follow_up_for_a_customer_who_withdrew_the_follow_up_purpose(
    org_a, admin, actor_for, units, respond, nps_survey, django_capture_on_commit_callbacks
):
    from openxm.customers import consent

    _followup(org_a, admin, nps_survey)
    alerts.save_rule(admin, "d", "D", {"score": "nps", "op": "lte", "value": 6}, [{"case": {}}])
    respond(2, "a", customer="c-1")
    respond(3, "b", customer="c-2")
    withdrawn = Case.objects.for_org(org_a).get(contact__external_id="c-1")
    asked = Case.objects.for_org(org_a).get(contact__external_id="c-2")
    # Feedback requests in general stay allowed: only being followed up was declined.
    consent.record_consent(admin, withdrawn.contact_id, "follow_up", False, "phone", "notice-v2")
    for case in (withdrawn, asked):
        with django_capture_on_commit_callbacks(execute=True):
            actions.transition(actor_for("agent"), case.pk, "resolved")
    outcome = CaseEvent.objects.for_org(org_a).get(case=withdrawn, kind="followup").data["outcome"]
    assert outcome == "unsubscribed"
    assert not Invitation.unscoped.filter(organization=org_a, contact_id=withdrawn.contact_id).exists()
    assert Invitation.unscoped.filter(organization=org_a, contact_id=asked.contact_id).count() == 1
