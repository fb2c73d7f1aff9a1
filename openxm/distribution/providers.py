"""The messenger port: one interface for SMS, WeChat, WeCom, DingTalk and webhooks.

``provider_for(kind, config)`` returns an object with ``send(Message) -> Delivery``. Every
provider speaks HTTP with JSON through ``http_json`` (standard library only); ``base_url`` /
``url`` in the config point it at the real service or, in tests, at a local fake server.

Kinds and their ``config``:
- ``webhook``: ``url``, optional ``secret`` (then the body is signed: header
  ``X-OpenXM-Signature: sha256=<hex HMAC of the body>``) and ``headers``. Body:
  ``{"invitation", "channel", "to", "title", "text", "url", "language"}``. Any 2xx is success;
  a JSON ``id`` in the reply is kept as the provider's message id.
- ``sms``: a generic HTTP SMS gateway (put an adapter in front of a vendor API): ``url``,
  optional ``secret``, ``sender``. Body ``{"to", "from", "text"}``, signed like the webhook.
- ``wechat``: an Official Account template message: ``app_id``, ``app_secret``, ``template_id``,
  ``base_url`` (default ``https://api.weixin.qq.com``). The contact's ``wechat_openid``.
- ``wecom``: a WeCom (企业微信) application text card: ``corp_id``, ``secret``, ``agent_id``,
  ``base_url`` (default ``https://qyapi.weixin.qq.com``). The contact's ``wecom_userid``.
- ``dingtalk``: a DingTalk work notification (link message): ``app_key``, ``app_secret``,
  ``agent_id``, ``base_url`` (default ``https://oapi.dingtalk.com``). The contact's
  ``dingtalk_userid``.
Access tokens of WeChat, WeCom and DingTalk are cached (shared cache) until shortly before they
expire and fetched again once when the service says a token is invalid.

The way back: a provider posts replies (``{"from", "text"}``, signed the same way with the
messenger's ``secret``) to the inbound hook; opt-outs such as "TD" or "STOP" unsubscribe the
contact (``inbound.py``).
"""

import abc
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.cache import cache
from django.utils.translation import gettext as _

TIMEOUT = 10


@dataclass(frozen=True)
class Message:
    to: str
    text: str
    url: str
    title: str
    invitation_id: int
    channel: str
    language: str = ""


@dataclass(frozen=True)
class Delivery:
    ok: bool
    provider_id: str = ""
    error: str = ""


class Provider(Protocol):
    kind: str

    def send(self, message: Message) -> Delivery: ...


class ProviderError(Exception):
    pass


def http_json(method: str, url: str, body: Any = None, headers: dict | None = None) -> tuple[int, Any]:
    """One HTTP request with a JSON body; (status, decoded JSON or text). Network errors raise
    ``ProviderError``."""
    if not url.startswith(("http://", "https://")):
        raise ProviderError(f"not an http(s) URL: {url[:100]}")
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - scheme checked above
    request.add_header("User-Agent", "openxm")
    if data is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:  # noqa: S310
            status, raw = reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise ProviderError(str(getattr(exc, "reason", exc))) from exc
    try:
        return status, json.loads(raw.decode() or "null")
    except (ValueError, UnicodeDecodeError):
        return status, raw.decode(errors="replace")[:500]


def _signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _Signed:
    """Posts a JSON body to ``config["url"]``, signed when a secret is configured."""

    kind = "webhook"

    def __init__(self, config: dict):
        self.config = config

    def payload(self, message: Message) -> dict:
        return {
            "invitation": message.invitation_id,
            "channel": message.channel,
            "to": message.to,
            "title": message.title,
            "text": message.text,
            "url": message.url,
            "language": message.language,
        }

    def send(self, message: Message) -> Delivery:
        body = json.dumps(self.payload(message), ensure_ascii=False).encode()
        headers = dict(self.config.get("headers") or {})
        if self.config.get("secret"):
            headers["X-OpenXM-Signature"] = _signature(self.config["secret"], body)
        try:
            status, reply = http_json("POST", self.config["url"], body, headers)
        except ProviderError as exc:
            return Delivery(False, error=str(exc))
        if 200 <= status < 300:
            provider_id = str(reply.get("id", "")) if isinstance(reply, dict) else ""
            return Delivery(True, provider_id=provider_id)
        return Delivery(False, error=f"HTTP {status}: {str(reply)[:200]}")


class WebhookProvider(_Signed):
    kind = "webhook"


class SmsProvider(_Signed):
    kind = "sms"

    def payload(self, message: Message) -> dict:
        return {"to": message.to, "from": self.config.get("sender", ""), "text": message.text}


class _TokenProvider(abc.ABC):
    """Providers that fetch an access token first (WeChat, WeCom, DingTalk): each subclass says
    where the token and the send endpoint are and what a message body looks like."""

    kind = ""
    default_base = ""
    invalid_token_codes = {40001, 40014, 42001}

    def __init__(self, config: dict):
        self.config = config
        self.base = (config.get("base_url") or self.default_base).rstrip("/")

    @abc.abstractmethod
    def token_url(self) -> str: ...

    @abc.abstractmethod
    def send_url(self, token: str) -> str: ...

    @abc.abstractmethod
    def body(self, message: Message) -> dict: ...

    def _cache_key(self) -> str:
        ident = hashlib.sha256(json.dumps([self.kind, self.base, self.token_url()]).encode()).hexdigest()[:24]
        return f"openxm:msgtoken:{ident}"

    def token(self, fresh: bool = False) -> str:
        key = self._cache_key()
        if not fresh:
            found = cache.get(key)
            if found:
                return found
        status, reply = http_json("GET", self.token_url())
        if status != 200 or not isinstance(reply, dict) or not reply.get("access_token"):
            raise ProviderError(f"no access token: {str(reply)[:200]}")
        lifetime = int(reply.get("expires_in") or 7200)
        cache.set(key, reply["access_token"], timeout=max(60, lifetime - 300))
        return reply["access_token"]

    def send(self, message: Message) -> Delivery:
        try:
            token = self.token()
            status, reply = http_json("POST", self.send_url(token), self.body(message))
            if isinstance(reply, dict) and reply.get("errcode") in self.invalid_token_codes:
                status, reply = http_json("POST", self.send_url(self.token(fresh=True)), self.body(message))
        except ProviderError as exc:
            return Delivery(False, error=str(exc))
        if status == 200 and isinstance(reply, dict) and reply.get("errcode", 0) == 0:
            ident = reply.get("msgid") or reply.get("task_id") or ""
            return Delivery(True, provider_id=str(ident))
        return Delivery(False, error=f"HTTP {status}: {str(reply)[:200]}")


class WeChatProvider(_TokenProvider):
    kind = "wechat"
    default_base = "https://api.weixin.qq.com"

    def token_url(self) -> str:
        query = urllib.parse.urlencode(
            {
                "grant_type": "client_credential",
                "appid": self.config["app_id"],
                "secret": self.config["app_secret"],
            }
        )
        return f"{self.base}/cgi-bin/token?{query}"

    def send_url(self, token: str) -> str:
        return f"{self.base}/cgi-bin/message/template/send?access_token={urllib.parse.quote(token)}"

    def body(self, message: Message) -> dict:
        return {
            "touser": message.to,
            "template_id": self.config["template_id"],
            "url": message.url,
            "data": {
                "first": {"value": message.title},
                "keyword1": {"value": message.text},
                "remark": {"value": message.url},
            },
        }


class WeComProvider(_TokenProvider):
    kind = "wecom"
    default_base = "https://qyapi.weixin.qq.com"

    def token_url(self) -> str:
        query = urllib.parse.urlencode(
            {"corpid": self.config["corp_id"], "corpsecret": self.config["secret"]}
        )
        return f"{self.base}/cgi-bin/gettoken?{query}"

    def send_url(self, token: str) -> str:
        return f"{self.base}/cgi-bin/message/send?access_token={urllib.parse.quote(token)}"

    def body(self, message: Message) -> dict:
        return {
            "touser": message.to,
            "msgtype": "textcard",
            "agentid": int(self.config["agent_id"]),
            "textcard": {
                "title": message.title,
                "description": message.text,
                "url": message.url,
                "btntxt": _("Open"),
            },
        }


class DingTalkProvider(_TokenProvider):
    kind = "dingtalk"
    default_base = "https://oapi.dingtalk.com"
    invalid_token_codes = {40014, 42001, 88}

    def token_url(self) -> str:
        query = urllib.parse.urlencode(
            {"appkey": self.config["app_key"], "appsecret": self.config["app_secret"]}
        )
        return f"{self.base}/gettoken?{query}"

    def send_url(self, token: str) -> str:
        path = "/topapi/message/corpconversation/asyncsend_v2"
        return f"{self.base}{path}?access_token={urllib.parse.quote(token)}"

    def body(self, message: Message) -> dict:
        return {
            "agent_id": int(self.config["agent_id"]),
            "userid_list": message.to,
            "msg": {
                "msgtype": "link",
                "link": {
                    "messageUrl": message.url,
                    "title": message.title,
                    "text": message.text,
                    "picUrl": "@lALOACZwe2Rk",
                },
            },
        }


PROVIDERS: dict[str, type] = {
    "webhook": WebhookProvider,
    "sms": SmsProvider,
    "wechat": WeChatProvider,
    "wecom": WeComProvider,
    "dingtalk": DingTalkProvider,
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "webhook": ("url",),
    "sms": ("url",),
    "wechat": ("app_id", "app_secret", "template_id"),
    "wecom": ("corp_id", "secret", "agent_id"),
    "dingtalk": ("app_key", "app_secret", "agent_id"),
}


def check_config(kind: str, config: dict) -> tuple[str, str] | None:
    """(field, problem) for a configuration that cannot work, else None."""
    if not isinstance(config, dict):
        return "", _("must be an object")
    for name in REQUIRED.get(kind, ()):
        if not str(config.get(name) or "").strip():
            return name, _("is required")
    for name in ("url", "base_url"):
        value = config.get(name)
        if value and not str(value).startswith(("http://", "https://")):
            return name, _("must start with http:// or https://")
    for name in ("agent_id",):
        if name in REQUIRED.get(kind, ()) and not str(config.get(name)).isdigit():
            return name, _("must be a number")
    return None


def provider_for(kind: str, config: dict) -> Provider:
    return PROVIDERS[kind](config)
