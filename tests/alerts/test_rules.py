"""Rules on stored responses: once per response and rule, the owner's scope (unit and personal
data), text rules after the analysis, notifying members (inbox, unread count, e-mail in their
language), and rules as code (errors, all or nothing, dry run, idempotent, export round trip)."""

import json

import pytest
from django.core import mail

from openxm.accounts import services as accounts
from openxm.alerts import services
from openxm.alerts.evaluate import evaluate_responses
from openxm.alerts.models import Alert, InboxItem


def _rule(actor, when, actions, key="r"):
    services.save_rule(actor, key, "Rule " + key, when, actions)


def test_a_rule_fires_once_per_response(org_a, admin, respond):
    _rule(admin, {"score": "nps", "op": "lte", "value": 6}, [{"notify": [admin.user.email]}])
    r = respond(2, "a")
    respond(9, "b")
    assert list(Alert.objects.for_org(org_a).values_list("response_id", flat=True)) == [r.pk]
    assert evaluate_responses(org_a, [r.pk], text=False) == 0  # evaluating again fires nothing
    assert Alert.objects.for_org(org_a).count() == 1
    assert InboxItem.objects.for_org(org_a).count() == 1


def test_a_rule_saved_or_enabled_after_responses_without_rules_fires_at_once(org_a, admin, respond):
    # The first response finds no rules (remembered briefly); saving one must be seen at once.
    respond(1, "before")
    _rule(admin, {"score": "nps", "op": "lte", "value": 6}, [{"notify": [admin.user.email]}])
    first = respond(2, "after-save")
    services.set_rule_enabled(admin, "r", False)
    respond(3, "while-disabled")
    services.set_rule_enabled(admin, "r", True)
    second = respond(4, "after-enable")
    fired = set(Alert.objects.for_org(org_a).values_list("response_id", flat=True))
    assert fired == {first.pk, second.pk}


def test_store_managers_rule_sees_only_their_store_and_no_personal_data(
    org_a, admin, units, make_member, respond, receiver
):
    accounts.add_member(admin, "store@example.com", "analyst", unit="sh-jingan")
    manager = accounts.actor_for_user(accounts.bootstrap_user("store@example.com", None), org_a, "web")
    hook = receiver()
    services.apply_document(
        manager,
        json.dumps(
            {
                "webhooks": [
                    {"key": "store", "url": hook.url, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
                ],
                "rules": [
                    {
                        "key": "low",
                        "name": "Low",
                        "when": {"score": "nps", "op": "lte", "value": 6},
                        "actions": [
                            {"webhook": "store"},
                            {"notify": ["store@example.com", admin.user.email]},
                        ],
                    }
                ],
            }
        ),
    )
    comment = "送货太慢了，请打电话 13812345678 或写信 wang@example.com"
    mine = respond(1, "mine", unit="sh-jingan", comment=comment)
    respond(1, "theirs", unit="bj", comment=comment)
    respond(1, "no-unit", comment=comment)
    alerts = Alert.objects.for_org(org_a)
    assert list(alerts.values_list("response_id", flat=True)) == [mine.pk]
    [request] = hook.requests
    data = json.loads(request["body"])["data"]
    assert data["response"]["id"] == mine.pk and data["unit"] == "sh-jingan"
    assert "13812345678" not in data["comment"] and "wang@example.com" not in data["comment"]
    assert data["comment"].startswith("送货太慢了")
    # both named members may see the store's response; each is told once
    assert InboxItem.objects.for_org(org_a).count() == 2
    assert services.unread_count(manager) == 1


def test_an_owner_who_leaves_stops_their_rules(org_a, admin, make_member, respond):
    analyst = accounts.actor_for_user(make_member(org_a, "analyst"), org_a, "web")
    _rule(analyst, {"score": "nps", "op": "lte", "value": 6}, [{"notify": [admin.user.email]}])
    membership = accounts.membership_in(analyst.user, org_a)
    accounts.remove_member(admin, membership.pk)
    respond(0, "x")
    assert Alert.objects.for_org(org_a).count() == 0


def test_notify_only_members_who_may_see_the_response(org_a, admin, units, respond):
    accounts.add_member(admin, "bj@example.com", "agent", unit="bj")
    _rule(
        admin,
        {"score": "nps", "op": "lte", "value": 6},
        [{"notify": ["bj@example.com", "nobody@example.com"]}],
    )
    respond(1, "sh", unit="sh-jingan")
    assert Alert.objects.for_org(org_a).count() == 1
    assert InboxItem.objects.for_org(org_a).count() == 0  # Beijing's agent is not told of Shanghai
    respond(1, "bj", unit="bj")
    assert InboxItem.objects.for_org(org_a).count() == 1


def test_email_in_the_members_language_and_inbox(org_a, admin, respond):
    user = admin.user
    user.language = "zh-hans"
    user.save()
    _rule(admin, {"score": "nps", "op": "lte", "value": 6}, [{"notify": [user.email]}])
    mail.outbox.clear()
    r = respond(3, "k", comment="太慢了")
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject.startswith("告警") and f"/responses/{r.pk}/" in message.body
    [row] = services.inbox(admin)
    assert row.response_id == r.pk and row.detail["scores"] == {"nps": 3} and not row.read
    assert services.unread_count(admin) == 1
    assert services.mark_read(admin) == 1 and services.unread_count(admin) == 0


def test_text_rules_fire_after_the_analysis(org_a, admin, respond, settings):
    _rule(
        admin,
        {"all": [{"score": "nps", "op": "lte", "value": 6}, {"topic": "refund_return"}]},
        [{"notify": [admin.user.email]}],
        key="refund",
    )
    _rule(admin, {"sentiment": "positive"}, [{"notify": [admin.user.email]}], key="happy")
    _rule(admin, {"flag": "churn"}, [{"notify": [admin.user.email]}], key="churn")
    angry = respond(2, "angry", comment="送货太慢了，客服态度也很差，我要退款")
    calm = respond(2, "calm", comment="还可以")
    leaving = respond(1, "leaving", comment="我要退款，再也不买了")
    respond(1, "silent")  # no comment: never analysed, text rules never fire
    fired = sorted(Alert.objects.for_org(org_a).values_list("response_id", "rule__key"))
    assert fired == sorted(
        [(angry.pk, "refund"), (calm.pk, "happy"), (leaving.pk, "refund"), (leaving.pk, "churn")]
    )


# --- rules as code ------------------------------------------------------------------------------


def test_apply_is_all_or_nothing_and_errors_name_rule_path_and_problem(org_a, admin):
    doc = {
        "webhooks": [
            {
                "key": "w",
                "url": "https://hooks.example.com/x",
                "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            }
        ],
        "rules": [
            {
                "key": "ok",
                "name": "Fine",
                "when": {"score": "nps", "op": "lte", "value": 6},
                "actions": [{"webhook": "w"}],
            },
            {
                "key": "bad",
                "name": "Bad",
                "when": {"any": [{"touchpoint": "x"}, {"score": "nps", "op": "below", "value": 3}]},
                "actions": [{"webhook": "nope"}],
            },
        ],
    }
    with pytest.raises(services.InvalidDocument) as caught:
        services.apply_document(admin, json.dumps(doc))
    text = [str(p) for p in caught.value.problems]
    assert "rule bad: rules[1].when.any.1: op is one of" in text[0]
    assert text[1] == "rule bad: rules[1].actions[0].webhook: no webhook with key nope"
    assert services.list_rules(admin) == [] and services.list_webhooks(admin) == []


@pytest.mark.parametrize(
    "webhook, path, needle",
    [
        ({"key": "w", "url": "https://x.example.com", "secret": "nope"}, "webhooks[0].secret", "whsec_"),
        ({"key": "w", "url": "https://x.example.com"}, "webhooks[0].secret", "needs a secret"),
        (
            {"key": "w", "url": "ftp://x.example.com", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
            "webhooks[0].url",
            "http",
        ),
        ({"key": "w", "format": "teams", "url": "https://x"}, "webhooks[0].format", "one of"),
        (
            {"key": "w", "format": "slack", "url": "https://hooks.slack.com/x", "secret": "s"},
            "webhooks[0].secret",
            "its URL is the secret",
        ),
        (
            {"key": "W W", "format": "slack", "url": "https://hooks.slack.com/x"},
            "webhooks[0].key",
            "lower-case",
        ),
        (
            {"key": "w", "format": "slack", "url": "http://10.0.0.1/x"},
            "webhooks[0].url",
            "not a public address",
        ),
    ],
)
def test_webhook_problems(admin, webhook, path, needle):
    with pytest.raises(services.InvalidDocument) as caught:
        services.apply_document(admin, json.dumps({"webhooks": [webhook]}))
    [problem] = caught.value.problems
    assert problem.path == path and needle in problem.message


def test_errors_in_chinese(admin):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(services.InvalidDocument) as caught:
        services.apply_document(
            admin, "rules:\n  - {key: r, name: R, when: {score: nps, op: lte}, actions: []}\n"
        )
    messages = [p.message for p in caught.value.problems]
    assert any("需要 value" in m for m in messages)
    assert str(caught.value.problems[0]).startswith("规则 r")


def test_dry_run_idempotent_upsert_and_export_round_trip(org_a, admin):
    doc = """
webhooks:
  - {key: cx, format: feishu, url: "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret: s3cr3t}
rules:
  - {key: d, name: Detractors, when: {score: nps, op: lte, value: 6}, actions: [{webhook: cx}]}
"""
    plan = services.apply_document(admin, doc, dry_run=True)
    assert plan.changes == [("create", "webhook", "cx"), ("create", "rule", "d")]
    assert services.list_rules(admin) == []
    services.apply_document(admin, doc)
    again = services.apply_document(admin, doc)
    assert again.changes == [("same", "webhook", "cx"), ("same", "rule", "d")]
    exported = services.export_document(admin)
    assert "s3cr3t" not in exported  # secrets are not exported
    assert services.apply_document(admin, exported).changes == [
        ("same", "webhook", "cx"),
        ("same", "rule", "d"),
    ]
    assert services.list_webhooks(admin)[0].secret == "s3cr3t"  # kept when the document has none
    changed = doc.replace("value: 6", "value: 4")
    assert services.apply_document(admin, changed).changes[1] == ("update", "rule", "d")


def test_viewer_may_not_manage_rules(org_a, make_member):
    from openxm.accounts.actors import PermissionDenied

    viewer = accounts.actor_for_user(make_member(org_a, "viewer"), org_a, "web")
    with pytest.raises(PermissionDenied):
        services.apply_document(viewer, "rules: []")


# --- back-test ------------------------------------------------------------------------------------


def test_backtest_counts_and_lists_within_the_actors_scope(org_a, admin, units, respond):
    for i, (score, unit) in enumerate([(1, "sh-jingan"), (5, "bj"), (8, "bj"), (2, "sh-jingan"), (10, "")]):
        respond(score, f"k{i}", unit=unit)
    result = services.backtest(admin, {"score": "nps", "op": "lte", "value": 6})
    assert (result.count, result.examined, result.days) == (3, 5, 30)
    assert [h.unit for h in result.hits] == ["sh-jingan", "bj", "sh-jingan"]  # newest first
    accounts.add_member(admin, "sh@example.com", "analyst", unit="sh")
    sh = accounts.actor_for_user(accounts.bootstrap_user("sh@example.com", None), org_a, "web")
    limited = services.backtest(sh, {"score": "nps", "op": "lte", "value": 6})
    assert (limited.count, limited.examined) == (2, 2)
    assert services.backtest(admin, {"unit": "cn"}).count == 4
    with pytest.raises(Exception, match="between 1 and 366"):
        services.backtest(admin, {"unit": "cn"}, days=0)
    assert Alert.objects.for_org(org_a).count() == 0  # a back-test fires nothing


def test_imported_history_and_reanalysed_old_comments_do_not_alert(org_a, admin, nps_survey, respond):
    from datetime import timedelta

    from django.utils import timezone

    from openxm.surveys.models import Response

    _rule(admin, {"score": "nps", "op": "lte", "value": 6}, [{"notify": [admin.user.email]}], key="low")
    _rule(admin, {"sentiment": "negative"}, [{"notify": [admin.user.email]}], key="neg")
    old = respond(2, "old", comment="太慢了，很失望")
    Alert.objects.for_org(org_a).all().delete()
    Response.objects.for_org(org_a).filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    assert evaluate_responses(org_a, [old.pk], text=True) == 0  # a re-analysis of an old comment
    assert evaluate_responses(org_a, [old.pk], text=False) == 1  # score rules have no window
    Response.objects.for_org(org_a).filter(pk=old.pk).update(meta={"source": "import"})
    Alert.objects.for_org(org_a).all().delete()
    assert evaluate_responses(org_a, [old.pk], text=False) == 0  # imported history
