"""Fixtures: a survey with a comment and an e-mail question, and ``seed_person`` that puts one
person's data into every model a personal-data hook covers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys

DEFINITION = {
    "schema_version": 1,
    "key": "privacy-feedback",
    "title": {"en": "Feedback", "zh-Hans": "反馈"},
    "languages": ["en", "zh-Hans"],
    "default_language": "en",
    "audience": "customer",
    "touchpoint": "delivery",
    "pages": [
        {
            "id": "p1",
            "questions": [
                {"id": "nps", "type": "nps", "text": {"en": "Recommend?", "zh-Hans": "推荐？"}},
                {"id": "comment", "type": "text", "text": {"en": "Why?", "zh-Hans": "为什么？"}},
                {
                    "id": "mail",
                    "type": "email",
                    "required": False,
                    "text": {"en": "Your e-mail?", "zh-Hans": "邮箱？"},
                },
            ],
        }
    ],
}


@pytest.fixture(autouse=True)
def _inline_jobs(settings, tmp_path):
    settings.OPENXM_JOBS_INLINE = True
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def fresh_keys():
    """The encryption keys read again from the environment before and after the test (a test
    that changes OPENXM_ENCRYPTION_KEYS must not leave its keys cached)."""
    from openxm import crypto

    crypto.reset()
    yield
    crypto.reset()


@pytest.fixture
def owner(org_a, make_member):
    return accounts.actor_for_user(make_member(org_a, "owner"), org_a, via="web")


@pytest.fixture
def actor_for_role(org_a, make_member):
    def make(role: str):
        return accounts.actor_for_user(make_member(org_a, role), org_a, via="web")

    return make


@pytest.fixture
def survey(owner):
    s = surveys.create_survey(owner, DEFINITION, key=DEFINITION["key"])
    surveys.publish_survey(owner, s.pk)
    return surveys.get_survey(owner, s.pk)


class Person:
    """One person's identifiers; each string is unique enough to grep the whole database for."""

    def __init__(self, tag: str):
        self.tag = tag
        self.external_id = f"crm-{tag}"
        self.name = f"Personname {tag.title()}"
        self.email = f"{tag}.subject@example.org"
        self.phone = "1391234" + str(abs(hash(tag)) % 10000).zfill(4)
        self.wechat = f"oWx-{tag}-openid"
        self.comment = f"The courier for {self.name} was late, write to {self.email}"

    @property
    def markers(self) -> list[str]:
        return [self.email, self.phone, self.wechat, self.name, self.external_id]


@pytest.fixture
def seed_person(org_a, survey, django_capture_on_commit_callbacks):
    """seed_person(tag) -> Person: the person's data in every covered model of org A."""
    from openxm.alerts.models import Alert, Delivery, DeliveryAttempt, Held, InboxItem, Rule, Webhook
    from openxm.comments.models import CommentCorrection
    from openxm.customers.models import ConsentRecord, Contact, ContactEvent, ContactMerge
    from openxm.distribution.models import (
        DeliveryEvent,
        Distribution,
        Event,
        InboundMessage,
        Invitation,
        Suppression,
    )
    from openxm.profiles.models import ContactValue
    from openxm.responses.models import ImportJob, ResponseTag
    from openxm.surveys.models import Answer

    org = org_a
    now = timezone.now()

    def seed(tag: str) -> Person:
        p = Person(tag)
        ref = collect.ContactRef(p.external_id, {"name": p.name, "email": p.email, "phone": p.phone})
        with django_capture_on_commit_callbacks(execute=True):
            response = collect.record_response(
                org,
                survey,
                collect.Submission(
                    answers={"nps": 2, "comment": p.comment},
                    idempotency_key=f"{tag}-1",
                    contact=ref,
                    completed_at=now - timedelta(days=2),
                ),
            ).response
            # The same person on an anonymous link, known only by the e-mail they typed.
            anonymous = collect.record_response(
                org,
                survey,
                collect.Submission(
                    answers={"nps": 9, "mail": p.email.upper()}, idempotency_key=f"{tag}-2", completed_at=now
                ),
            ).response
        contact = Contact.objects.for_org(org).get(external_id=p.external_id)
        contact.wechat_openid = p.wechat
        contact.attributes = {"first_name": p.name.split()[0]}
        contact.save()
        # A second record of the same person, merged into the first.
        twin = Contact.objects.for_org(org).create(
            organization=org, external_id=f"{p.external_id}-old", email=p.email, merged_into=contact
        )
        ContactMerge.objects.for_org(org).create(
            organization=org, survivor=contact, merged=twin, survivor_before={"name": p.name}
        )
        ConsentRecord.objects.for_org(org).create(
            organization=org,
            contact=contact,
            purpose="surveys",
            granted=True,
            channel="web",
            text_version="v1",
        )
        ContactEvent.objects.for_org(org).create(
            organization=org, contact=contact, type="order", occurred_at=now, amount=Decimal("12.50")
        )
        ResponseTag.objects.for_org(org).create(organization=org, response=response, tag="vip")
        comment = Answer.objects.for_org(org).get(response=response, question_id="comment")
        CommentCorrection.objects.for_org(org).create(organization=org, answer=comment, sentiment="negative")
        ImportJob.objects.for_org(org).create(
            organization=org,
            survey=survey,
            file_name="crm.csv",
            file_path="imports/crm.csv",
            file_sha256="0" * 64,
            sample=[["id", "email"], [p.external_id, p.email]],
        )
        distribution = Distribution.objects.for_org(org).create(
            organization=org, survey=survey, channel="email", name=f"d-{tag}"
        )
        invitation = Invitation.objects.for_org(org).create(
            organization=org,
            distribution=distribution,
            survey=survey,
            contact=contact,
            channel="email",
            address=p.email,
            nonce=tag[:24],
            expires_at=now + timedelta(days=30),
            response=response,
        )
        DeliveryEvent.objects.for_org(org).create(organization=org, invitation=invitation, kind="sent")
        Event.objects.for_org(org).create(
            organization=org, name="order", contact=contact, outcome="invited", invitation=invitation
        )
        Suppression.objects.for_org(org).create(organization=org, address=p.email, reason="unsubscribe")
        InboundMessage.objects.for_org(org).create(
            organization=org, sender=f"+86 {p.phone}", phone=p.phone, text="TD", outcome="unsubscribed"
        )
        ContactValue.objects.for_org(org).create(
            organization=org, contact=contact, frequency=1, monetary=12.5
        )
        rule, _new = Rule.objects.for_org(org).get_or_create(
            organization=org,
            key="detractor",
            defaults={"name": "Detractor", "condition": {}, "enabled": False},
        )
        webhook, _new = Webhook.objects.for_org(org).get_or_create(
            organization=org, key="crm", defaults={"url": "https://hooks.example.com/x"}
        )
        alert = Alert.objects.for_org(org).create(
            organization=org, rule=rule, response=response, summary={"contact": p.name, "email": p.email}
        )
        user = accounts.bootstrap_user(f"inbox-{tag}@staff.example.com", "x" * 20)
        InboxItem.objects.for_org(org).create(organization=org, user=user, alert=alert)
        delivery = Delivery.objects.for_org(org).create(
            organization=org, webhook=webhook, alert=alert, message_id=f"msg-{tag}", event={"data": p.email}
        )
        DeliveryAttempt.objects.for_org(org).create(organization=org, delivery=delivery, number=1, ok=True)
        Held.objects.for_org(org).create(
            organization=org, alert=alert, user=user, reason=Held.Reason.QUIET, release_at=timezone.now()
        )
        from openxm.cases.models import Case, CaseEvent, ContactEntry, Escalation, Note

        case = Case.objects.for_org(org).create(
            organization=org, contact=contact, response=response, alert=alert, rule=rule, score=2
        )
        CaseEvent.objects.for_org(org).create(organization=org, case=case, kind="opened", reason=p.name)
        Note.objects.for_org(org).create(organization=org, case=case, text=f"called {p.phone}")
        ContactEntry.objects.for_org(org).create(
            organization=org, case=case, channel="call", summary=f"spoke to {p.name}"
        )
        Escalation.objects.for_org(org).create(
            organization=org, case=case, level=1, clock="resolution", recipient=user, send_at=timezone.now()
        )
        assert anonymous.contact_id is None
        return p

    return seed
