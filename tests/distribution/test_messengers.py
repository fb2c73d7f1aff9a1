"""Messenger channels through one provider interface, against a local fake server: SMS gateway,
WeChat template messages, WeCom and DingTalk work messages, and the generic signed webhook."""

import hashlib
import hmac
import re

import pytest
from django.core.cache import cache
from django.test import Client

from openxm.accounts.errors import InvalidInput
from openxm.distribution import sending, services
from openxm.distribution.models import DeliveryEvent, Invitation

CONTACT = {
    "id": "c1",
    "name": "陈静",
    "phone": "+8613800000000",
    "language": "zh-Hans",
    "attributes": {"wechat_openid": "oX-openid", "wecom_userid": "chenjing", "dingtalk_userid": "dt-01"},
}


def _config(kind, url):
    return {
        "webhook": {"url": f"{url}/hook", "secret": "s3cret"},
        "sms": {"url": f"{url}/sms", "sender": "FreshNeighbor", "secret": "k"},
        "wechat": {"app_id": "wx1", "app_secret": "sec", "template_id": "TPL1", "base_url": url},
        "wecom": {"corp_id": "ww1", "secret": "sec", "agent_id": "1000002", "base_url": url},
        "dingtalk": {"app_key": "ding1", "app_secret": "sec", "agent_id": "88", "base_url": url},
    }[kind]


@pytest.fixture(autouse=True)
def _fresh_tokens(db):
    cache.clear()


@pytest.mark.parametrize("kind", ["sms", "wechat", "wecom", "dingtalk", "webhook"])
def test_each_messenger_delivers_a_personal_link(org_a, analyst, csat, fake_messenger, kind, settings):
    settings.OPENXM_PUBLIC_URL = "https://cx.example.com"
    services.create_messenger(analyst, kind, f"{kind} provider", _config(kind, fake_messenger.url))
    dist = services.create_distribution(analyst, csat.pk, kind, name=kind)
    services.invite_contacts(analyst, dist.pk, [CONTACT])
    assert sending.dispatch(org_a).sent == 1
    invitation = Invitation.objects.for_org(org_a).get()
    assert invitation.status == "sent"
    (post,) = [r for r in fake_messenger.posts() if r["body"] is not None]
    body = post["body"]
    text = str(body)
    link = re.search(r"https://cx\.example\.com(/r/i/[^\s'\"]+/)", text).group(1)
    if kind == "sms":
        assert body["to"] == "+8613800000000" and body["from"] == "FreshNeighbor" and "/r/u/" in body["text"]
        assert (
            post["headers"]["x-openxm-signature"]
            == "sha256=" + hmac.new(b"k", post["raw"], hashlib.sha256).hexdigest()
        )
    elif kind == "wechat":
        assert post["path"].startswith("/cgi-bin/message/template/send?access_token=token-")
        assert body["touser"] == "oX-openid" and body["template_id"] == "TPL1" and body["url"].endswith(link)
    elif kind == "wecom":
        assert post["path"].startswith("/cgi-bin/message/send?access_token=")
        assert body["touser"] == "chenjing" and body["agentid"] == 1000002 and body["msgtype"] == "textcard"
    elif kind == "dingtalk":
        assert post["path"].startswith("/topapi/message/corpconversation/asyncsend_v2?access_token=")
        assert body["userid_list"] == "dt-01" and body["msg"]["link"]["messageUrl"].endswith(link)
    else:
        assert body["to"] == "c1" and body["invitation"] == invitation.pk and body["channel"] == "webhook"
        expected = "sha256=" + hmac.new(b"s3cret", post["raw"], hashlib.sha256).hexdigest()
        assert post["headers"]["x-openxm-signature"] == expected
    # the link works and the response records the channel
    client = Client()
    assert client.get(link).status_code == 200
    client.post(link, {"page": "overall", "q_csat": "5"})
    client.post(link, {"page": "details"})
    invitation.refresh_from_db()
    assert invitation.status == "completed" and invitation.response.channel == kind


def test_expired_access_token_is_fetched_again_once(org_a, analyst, csat, fake_messenger):
    services.create_messenger(analyst, "wecom", "WeCom", _config("wecom", fake_messenger.url))
    dist = services.create_distribution(analyst, csat.pk, "wecom")
    services.invite_contacts(analyst, dist.pk, [CONTACT])
    fake_messenger.expire_next = True
    assert sending.dispatch(org_a).sent == 1
    token_fetches = [r for r in fake_messenger.requests if r["path"].startswith("/cgi-bin/gettoken")]
    assert len(token_fetches) == 2 and len(fake_messenger.posts("/cgi-bin/message/send")) == 2


def test_provider_failure_is_logged_on_the_invitation(org_a, analyst, csat, fake_messenger):
    services.create_messenger(analyst, "webhook", "Hook", _config("webhook", fake_messenger.url))
    dist = services.create_distribution(analyst, csat.pk, "webhook")
    services.invite_contacts(analyst, dist.pk, [CONTACT])
    fake_messenger.fail_status = 503
    assert sending.dispatch(org_a).failed == 1
    log = DeliveryEvent.objects.for_org(org_a).filter(kind="failed").get()
    assert "HTTP 503" in log.detail and Invitation.objects.for_org(org_a).get().status == "failed"


def test_messenger_configuration_is_checked(analyst, csat):
    with pytest.raises(InvalidInput) as err:
        services.create_messenger(analyst, "wechat", "WeChat", {"app_id": "wx1"})
    assert err.value.field == "config.app_secret"
    with pytest.raises(InvalidInput):
        services.create_messenger(analyst, "webhook", "Hook", {"url": "ftp://example.com"})
    with pytest.raises(InvalidInput) as err:
        services.create_distribution(analyst, csat.pk, "dingtalk")
    assert err.value.field == "messenger"


def test_contact_without_a_messenger_id_is_skipped(org_a, analyst, csat, fake_messenger):
    services.create_messenger(analyst, "wechat", "WeChat", _config("wechat", fake_messenger.url))
    dist = services.create_distribution(analyst, csat.pk, "wechat")
    result = services.invite_contacts(analyst, dist.pk, [{"id": "c2", "email": "c2@example.com"}])
    assert result.invited == [] and result.skipped == {"no_address": 1}
