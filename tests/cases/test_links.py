"""Claim and close from a chat message: each platform's action element against its documented
shape, the messages a real receiver gets when a case is opened or assigned, and the signed links
(claim, close, single use, expiry, tampering, someone else's link, a team's link, lost scope,
the error page in the member's language)."""

import json
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.utils import translation

from openxm.accounts import services as accounts
from openxm.alerts import services as alerts
from openxm.alerts.formats import Message, render
from openxm.cases import actions, config, links
from openxm.cases.models import Case, CaseEvent


@pytest.fixture(autouse=True)
def _english_after():
    """A page in a member's Chinese leaves the thread's language active (the middleware sets it
    per request): back to English, so the next test reads English."""
    yield
    translation.activate("en")


DETRACTORS = {"score": "nps", "op": "lte", "value": 6}
ACTIONS = [
    ("Claim", "https://x.example/cases/link/a/"),
    ("Close (resolve)", "https://x.example/cases/link/b/"),
]
MESSAGE = Message(
    {}, "Case #7 opened", ["Priority: High"], "https://x.example/cases/7/", "Open the case", ACTIONS
)


# --- Payload shapes ---------------------------------------------------------------------------
# Each documented example, reduced to its keys, is what our payload must have: a key the
# platform does not know makes its API answer an error; a missing one loses the button.


def test_feishu_card_buttons_have_the_documented_shape():
    # open.feishu.cn, message card (v1) "button" element: {"tag": "button", "text":
    # {"tag": "plain_text", "content": …}, "url": …, "type": "default" | "primary" | "danger"}
    # inside {"tag": "action", "actions": [...]}.
    body = json.loads(render("feishu", "https://open.feishu.cn/x", "", MESSAGE, "m", 1).body)
    assert body["msg_type"] == "interactive"
    action = body["card"]["elements"][-1]
    assert action["tag"] == "action"
    for button, (label, url) in zip(
        action["actions"], [("Open the case", MESSAGE.link), *ACTIONS], strict=True
    ):
        assert set(button) == {"tag", "text", "url", "type"}
        assert button["tag"] == "button" and button["type"] in ("default", "primary", "danger")
        assert button["text"] == {"tag": "plain_text", "content": label} and button["url"] == url


def test_dingtalk_action_card_has_the_documented_shape():
    # open.dingtalk.com, custom robot, "独立跳转 ActionCard 类型": {"msgtype": "actionCard",
    # "actionCard": {"title", "text", "btnOrientation": "0"|"1", "btns": [{"title", "actionURL"}]}}.
    body = json.loads(
        render("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", "", MESSAGE, "m", 1).body
    )
    assert set(body) == {"msgtype", "actionCard"} and body["msgtype"] == "actionCard"
    card = body["actionCard"]
    assert set(card) == {"title", "text", "btnOrientation", "btns"} and card["btnOrientation"] in ("0", "1")
    assert card["btns"] == [
        {"title": "Open the case", "actionURL": MESSAGE.link},
        {"title": "Claim", "actionURL": ACTIONS[0][1]},
        {"title": "Close (resolve)", "actionURL": ACTIONS[1][1]},
    ]
    assert card["title"] == MESSAGE.title and "Priority: High" in card["text"]


def test_wecom_markdown_links_survive_a_long_text():
    # developer.work.weixin.qq.com, group robot: {"msgtype": "markdown", "markdown": {"content"}},
    # content at most 4,096 bytes, links written [text](url).
    long = Message({}, "t", ["长" * 3000], MESSAGE.link, "Open the case", ACTIONS)
    body = json.loads(
        render("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", "", long, "m", 1).body
    )
    assert set(body) == {"msgtype", "markdown"} and set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert len(content.encode()) <= 4096
    for label, url in ACTIONS:
        assert f"[{label}]({url})" in content


def test_slack_buttons_have_the_documented_shape():
    # api.slack.com, Block Kit "button" element: {"type": "button", "text": {"type": "plain_text",
    # "text" ≤ 75}, "url", "action_id" ≤ 255 and unique within the block}.
    body = json.loads(render("slack", "https://hooks.slack.com/services/T/B/X", "", MESSAGE, "m", 1).body)
    elements = body["blocks"][-1]["elements"]
    assert body["blocks"][-1]["type"] == "actions"
    assert [e["url"] for e in elements] == [MESSAGE.link] + [u for _l, u in ACTIONS]
    assert len({e["action_id"] for e in elements}) == 3
    for e in elements:
        assert set(e) == {"type", "text", "url", "action_id"} and e["type"] == "button"
        assert e["text"]["type"] == "plain_text" and len(e["text"]["text"]) <= 75


def test_a_message_without_actions_keeps_its_markdown_form():
    plain = Message({}, "t", ["a"], "https://x.example/r/1/", "Open")
    body = json.loads(
        render("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", "", plain, "m", 1).body
    )
    assert body["msgtype"] == "markdown" and "[Open](https://x.example/r/1/)" in body["markdown"]["text"]


# --- Messages and links, end to end -------------------------------------------------------------


@pytest.fixture
def chat(org_a, admin, receiver, units, settings):
    """A Feishu webhook at a real local receiver, named in the case settings; the store ``sh``
    has agent@ as its case owner; rule ``d`` opens a case for every detractor."""
    settings.OPENXM_PUBLIC_URL = "http://testserver"
    hook = receiver()
    alerts.save_webhook(admin, "cx-chat", "feishu", hook.url)
    config.update_settings(admin, messenger_webhook="cx-chat")
    return hook


@pytest.fixture
def agent(org_a, make_member):
    return make_member(org_a, "agent", "agent@example.com")


def _buttons(request) -> dict[str, str]:
    card = json.loads(request["body"])["card"]
    found = {}
    for button in card["elements"][-1]["actions"]:
        found[button["text"]["content"]] = urlsplit(button["url"]).path
    return found


def _open_case(admin, respond, key="r1", assign="owner"):
    alerts.save_rule(admin, "d", "D", DETRACTORS, [{"case": {"priority": "high", "assign": assign}}])
    response = respond(2, key, unit="sh", customer="c-1")
    return Case.objects.for_org(admin.organization).get(response=response)


def test_claim_from_the_chat_message(org_a, admin, agent, chat, respond, signed_in):
    config.set_unit(admin, "sh", owner="agent@example.com")
    case = _open_case(admin, respond)
    assert case.assignee == agent
    sent = [json.loads(r["body"]) for r in chat.requests]
    assert len(sent) == 1 and f"#{case.pk}" in sent[0]["card"]["header"]["title"]["content"]
    buttons = _buttons(chat.requests[0])
    assert set(buttons) == {"Open the case", "Claim", "Close (resolve)"}

    client = signed_in(agent)
    page = client.get(buttons["Claim"])
    assert page.status_code == 200 and 'id="link-go"' in page.content.decode()
    assert Case.objects.for_org(org_a).get(pk=case.pk).state == "new"  # GET changes nothing
    done = client.post(buttons["Claim"])
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.state == "in_progress" and case.assignee == agent
    event = CaseEvent.objects.for_org(org_a).get(case=case, kind="state")
    assert event.actor_user == agent and event.data.get("link")
    assert len(accounts.list_audit(admin, action="case.link_used")) == 1

    again = client.post(buttons["Claim"])
    assert again.status_code == 409 and 'data-code="used"' in again.content.decode()
    assert CaseEvent.objects.for_org(org_a).filter(case=case, kind="state").count() == 1


def test_close_resolves_and_each_link_does_only_its_action(org_a, admin, agent, chat, respond, signed_in):
    config.set_unit(admin, "sh", owner="agent@example.com")
    case = _open_case(admin, respond)
    buttons = _buttons(chat.requests[0])
    client = signed_in(agent)
    assert client.post(buttons["Close (resolve)"]).status_code == 302
    case.refresh_from_db()
    assert case.state == "resolved" and case.resolved_at is not None
    # The claim link is its own link: it is not used up, but a resolved case cannot be claimed.
    claim = client.post(buttons["Claim"])
    assert claim.status_code == 409 and 'data-code="refused"' in claim.content.decode()


def test_tampered_and_expired_links(org_a, admin, agent, chat, respond, signed_in, monkeypatch):
    config.set_unit(admin, "sh", owner="agent@example.com")
    case = _open_case(admin, respond)
    path = _buttons(chat.requests[0])["Close (resolve)"]
    token = path.rstrip("/").rsplit("/", 1)[1]
    client = signed_in(agent)

    # Another action in the same signed payload: the signature no longer matches.
    payload = signing.loads(token, salt=links.SALT)
    forged = signing.dumps({**payload, "a": "claim"}, salt="another salt", compress=True)
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), forged):
        page = client.post(f"/cases/link/{bad}/")
        assert page.status_code == 400 and 'data-code="tampered"' in page.content.decode()

    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() + links.max_age() + 60)
    page = client.get(path)
    assert page.status_code == 410 and 'data-code="expired"' in page.content.decode()
    assert client.post(path).status_code == 410
    case.refresh_from_db()
    assert case.state == "new"


def test_someone_elses_link_and_lost_scope(org_a, admin, agent, make_member, chat, respond, signed_in):
    config.set_unit(admin, "sh", owner="agent@example.com")
    case = _open_case(admin, respond)
    path = _buttons(chat.requests[0])["Claim"]
    other = make_member(org_a, "agent", "other@example.com")
    page = signed_in(other).post(path)
    assert page.status_code == 403 and 'data-code="not_yours"' in page.content.decode()

    # The agent moved to Beijing: the Shanghai case is out of reach, link or not.
    accounts.set_member(accounts.operator_actor(org_a), "agent@example.com", "agent", unit="bj")
    page = signed_in(agent).post(path)
    assert page.status_code == 403 and 'data-code="no_access"' in page.content.decode()
    # And a viewer (no cases.work) cannot use it either.
    accounts.set_member(accounts.operator_actor(org_a), "agent@example.com", "viewer")
    assert signed_in(agent).get(path).status_code == 403
    case.refresh_from_db()
    assert case.state == "new" and case.assignee == agent


def test_a_team_link_is_for_its_members_and_the_first_claim_wins(
    org_a, admin, agent, make_member, chat, respond, signed_in, django_capture_on_commit_callbacks
):
    second = make_member(org_a, "agent", "second@example.com")
    make_member(org_a, "agent", "outsider@example.com")
    config.save_team(admin, "desk", "Service desk", ["agent@example.com", "second@example.com"])
    case = _open_case(admin, respond, assign="team:desk")
    assert case.assignee is None and case.team.key == "desk"
    buttons = _buttons(chat.requests[0])
    outsider = accounts.bootstrap_user("outsider@example.com", "x")
    assert signed_in(outsider).post(buttons["Claim"]).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        assert signed_in(second).post(buttons["Claim"]).status_code == 302
    case.refresh_from_db()
    assert case.assignee == second and case.state == "in_progress"
    # The assignment was announced too, now with links issued to the new assignee only.
    assert len(chat.requests) == 2
    assigned = _buttons(chat.requests[1])
    assert set(assigned) == {"Open the case", "Close (resolve)"}  # being worked: nothing to claim
    assert signed_in(agent).post(assigned["Close (resolve)"]).status_code == 403


def test_the_error_page_speaks_the_members_language(org_a, admin, agent, chat, respond, signed_in):
    agent.language = "zh-hans"
    agent.save(update_fields=["language"])
    page = signed_in(agent).get("/cases/link/not-a-token/")
    assert page.status_code == 400
    assert "链接无法使用" in page.content.decode()


def test_no_messenger_webhook_no_message_and_held_out_cases_are_quiet(org_a, admin, receiver, units, respond):
    hook = receiver()
    alerts.save_webhook(admin, "cx-chat", "feishu", hook.url)
    _open_case(admin, respond)  # settings name no messenger webhook
    assert hook.requests == []
    config.update_settings(admin, messenger_webhook="cx-chat", control_share=0.5)
    for i in range(12):
        respond(1, f"h{i}", unit="sh", customer=f"h-{i}")
    held = Case.objects.for_org(org_a).filter(held_out=True).count()
    assert held > 0 and len(hook.requests) == 12 - held


def test_a_link_needs_one_holder_and_one_action(org_a, admin, units):
    case = actions.Case(pk=1, organization=org_a)
    with pytest.raises(ValueError):
        links.issue(case, "delete", user_id=1)
    with pytest.raises(ValueError):
        links.issue(case, "claim", user_id=1, team_id=2)
    token = links.issue(case, "claim", user_id=1)
    assert re.fullmatch(r"[A-Za-z0-9_:.\-]+", token)
    assert links.read(token).action == "claim"
