"""Each webhook format against its platform's documentation: the Standard Webhooks published
test vector, Feishu's and DingTalk's documented signing code, Slack Block Kit and WeCom markdown."""

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest

from openxm.alerts.formats import (
    Message,
    dingtalk_sign,
    feishu_sign,
    render,
    sign_standard,
    verify_standard,
)

# The example of the Standard Webhooks specification (and of its reference libraries).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

MESSAGE = Message(
    event={"type": "alert.fired", "timestamp": "2026-12-06T10:00:00+00:00", "data": {"response": {"id": 7}}},
    title="openxm alert: Detractors",
    lines=["Survey: NPS", "NPS 2", "> 送货太慢了"],
    link="https://xm.example.com/responses/7/",
    link_label="Open the response",
)


def test_standard_webhooks_published_test_vector():
    assert sign_standard([SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_standard_signs_once_per_secret_while_rotating():
    other = "whsec_" + base64.b64encode(b"another-secret-of-32-bytes-long!").decode()
    header = sign_standard([other, SPEC_SECRET], SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    first, second = header.split(" ")
    assert second == SPEC_SIGNATURE and first.startswith("v1,") and first != SPEC_SIGNATURE
    headers = {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP), "webhook-signature": header}
    assert verify_standard(SPEC_SECRET, headers, SPEC_BODY, SPEC_TIMESTAMP + 10)
    assert not verify_standard(SPEC_SECRET, headers, SPEC_BODY + b" ", SPEC_TIMESTAMP)
    assert not verify_standard(SPEC_SECRET, headers, SPEC_BODY, SPEC_TIMESTAMP + 301)  # too old


def test_standard_request_headers_and_body():
    req = render("standard", "https://h.example.com/x", SPEC_SECRET, MESSAGE, "msg_1", 1_765_000_000.7)
    assert req.headers["webhook-id"] == "msg_1"
    assert req.headers["webhook-timestamp"] == "1765000000"  # seconds
    assert json.loads(req.body) == MESSAGE.event
    assert req.headers["webhook-signature"] == sign_standard([SPEC_SECRET], "msg_1", 1765000000, req.body)


def test_feishu_signature_is_the_documented_computation():
    # Feishu's sample (open.feishu.cn, custom bot, "signature verification"), Python:
    #   string_to_sign = '{}\n{}'.format(timestamp, secret)
    #   hmac_code = hmac.new(string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    #   sign = base64.b64encode(hmac_code).decode('utf-8')
    timestamp, secret = 1599360473, "demo-secret"
    string_to_sign = f"{timestamp}\n{secret}"
    expected = base64.b64encode(hmac.new(string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest())
    assert feishu_sign(secret, timestamp) == expected.decode("utf-8")
    req = render("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret, MESSAGE, "m", timestamp)
    body = json.loads(req.body)
    assert body["timestamp"] == "1599360473" and body["sign"] == expected.decode()
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"] == {"tag": "plain_text", "content": MESSAGE.title}
    button = body["card"]["elements"][1]["actions"][0]
    assert button["url"] == MESSAGE.link and button["tag"] == "button"


def test_feishu_without_secret_has_no_signature():
    body = json.loads(render("feishu", "https://open.feishu.cn/x", "", MESSAGE, "m", 1).body)
    assert "sign" not in body and "timestamp" not in body


def test_dingtalk_signature_is_the_documented_computation():
    # DingTalk's sample (open.dingtalk.com, custom robot "加签"), Python 3.8:
    #   secret_enc = secret.encode('utf-8'); string_to_sign = '{}\n{}'.format(timestamp, secret)
    #   hmac_code = hmac.new(secret_enc, string_to_sign_enc, digestmod=hashlib.sha256).digest()
    #   sign = urllib.parse.quote_plus(base64.b64encode(hmac_code))
    timestamp, secret = 1577262236757, "SEC" + "this is secret"
    hmac_code = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(hmac_code))
    assert dingtalk_sign(secret, timestamp) == expected
    url = "https://oapi.dingtalk.com/robot/send?access_token=XXXXXX"
    req = render("dingtalk", url, secret, MESSAGE, "m", timestamp / 1000)
    assert req.url == f"{url}&timestamp={timestamp}&sign={expected}"  # milliseconds, URL-encoded
    body = json.loads(req.body)
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == MESSAGE.title
    assert f"[Open the response]({MESSAGE.link})" in body["markdown"]["text"]


def test_slack_block_kit():
    body = json.loads(render("slack", "https://hooks.slack.com/services/T/B/X", "", MESSAGE, "m", 1).body)
    assert body["text"] == MESSAGE.title  # the notification fallback
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds == ["header", "section", "actions"]
    assert body["blocks"][0]["text"] == {"type": "plain_text", "text": MESSAGE.title}
    assert body["blocks"][1]["text"]["type"] == "mrkdwn" and "送货太慢了" in body["blocks"][1]["text"]["text"]
    assert body["blocks"][2]["elements"][0]["url"] == MESSAGE.link


def test_wecom_markdown_stays_under_the_limit():
    long = Message(event={}, title="t", lines=["长" * 3000])
    req = render("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", "", long, "m", 1)
    body = json.loads(req.body)
    assert body["msgtype"] == "markdown"
    assert len(body["markdown"]["content"].encode()) <= 4096
    assert req.url.endswith("key=K")


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown webhook format"):
        render("teams", "https://x", "", MESSAGE, "m", 1)
