"""Webhook message formats and their signatures: Standard Webhooks, Slack, Feishu, DingTalk, WeCom.

Plain Python (no Django): a :class:`Message` (the event and its human-readable lines) becomes the
URL, headers and body of one HTTP POST, signed as each receiver documents it:

* ``standard`` — Standard Webhooks (standardwebhooks.com): headers ``webhook-id``,
  ``webhook-timestamp`` (seconds) and ``webhook-signature`` = ``v1,<base64 HMAC-SHA256>`` over
  ``"{id}.{timestamp}.{body}"`` keyed with the base64-decoded bytes after ``whsec_``; one
  ``v1,…`` per secret, space-separated, while a secret is rotated. The body is the event JSON.
* ``slack`` — an incoming webhook with Block Kit blocks (the URL is the secret).
* ``feishu`` — an interactive card; with a secret, ``timestamp`` (seconds) and ``sign`` =
  base64 HMAC-SHA256 keyed with ``timestamp + "\\n" + secret`` over an empty message.
* ``dingtalk`` — markdown; with a secret (``SEC…``), ``&timestamp=<ms>&sign=<url-encoded base64
  HMAC-SHA256 keyed with the secret over timestamp + "\\n" + secret>`` is added to the URL.
* ``wecom`` — markdown to a group bot (the ``key`` in the URL is the secret).

A message may carry **action links** (``actions``: label and URL pairs, e.g. a case's "Claim"
and "Close"), drawn with each platform's own element: Slack Block Kit ``button`` elements with
``url``, Feishu card ``button`` elements with ``url``, a DingTalk ``actionCard`` with ``btns``,
WeCom markdown links. None of them calls back: each opens the URL in a browser.

Excluded: sending (``transport.py``) and rate limits (``delivery.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix of every secret, not a secret)


@dataclass(frozen=True)
class Message:
    """What to send: the event (for ``standard``) and its rendering for people (chat formats)."""

    event: Mapping[str, Any]
    title: str
    lines: Sequence[str] = ()
    link: str = ""
    link_label: str = "Open"
    # Further links drawn as buttons where the platform has them: (label, url) pairs.
    actions: Sequence[tuple[str, str]] = ()

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """Every link of the message, the main one first."""
        return ([(self.link_label, self.link)] if self.link else []) + list(self.actions)


@dataclass(frozen=True)
class Request:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def secret_bytes(secret: str) -> bytes:
    """The key of a Standard Webhooks secret: the base64 after ``whsec_`` (raises ValueError)."""
    raw = secret.removeprefix(SECRET_PREFIX)
    return base64.b64decode(raw, validate=True)


def sign_standard(secrets: Sequence[str], message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value: ``v1,<sig>`` per secret, space-separated."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(secret_bytes(s), signed, hashlib.sha256).digest()).decode()
        for s in secrets
    )


def verify_standard(
    secret: str, headers: Mapping[str, str], body: bytes, now: int, tolerance: int = 300
) -> bool:
    """What a receiver does: recompute the signature and accept any matching ``v1`` entry within
    the timestamp tolerance (the example in docs/alerts.md)."""
    timestamp = int(headers["webhook-timestamp"])
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign_standard([secret], headers["webhook-id"], timestamp, body).split(",", 1)[1]
    return any(
        hmac.compare_digest(expected, sig.split(",", 1)[1])
        for sig in headers["webhook-signature"].split()
        if sig.startswith("v1,")
    )


def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _text(message: Message) -> str:
    return "\n\n".join([f"**{message.title}**", *message.lines])


def _links(message: Message) -> str:
    return " · ".join(f"[{label}]({url})" for label, url in message.buttons)


def _markdown(message: Message) -> str:
    return _text(message) + ("\n\n" + _links(message) if message.buttons else "")


def _slack(message: Message) -> dict:
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(message.lines) or message.title}},
    ]
    if message.buttons:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": label[:75]},
                        "url": url,
                        "action_id": f"openxm-{i}",
                    }
                    for i, (label, url) in enumerate(message.buttons[:25])
                ],
            }
        )
    return {"text": message.title, "blocks": blocks}


def _feishu_card(message: Message) -> dict:
    elements: list[dict] = [{"tag": "div", "text": {"tag": "lark_md", "content": "\n".join(message.lines)}}]
    if message.buttons:
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": label},
                        "url": url,
                        "type": "primary" if i == 0 else "default",
                    }
                    for i, (label, url) in enumerate(message.buttons)
                ],
            }
        )
    return {
        "header": {"title": {"tag": "plain_text", "content": message.title}, "template": "red"},
        "elements": elements,
    }


def render(fmt: str, url: str, secret: str, message: Message, message_id: str, now: float) -> Request:
    """The signed request of ``message`` in format ``fmt`` at time ``now`` (seconds)."""
    json_headers = {"Content-Type": "application/json"}
    if fmt == "standard":
        body = _json(message.event)
        timestamp = int(now)
        headers = {
            **json_headers,
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_standard(secret.split(), message_id, timestamp, body),
        }
        return Request(url, headers, body)
    if fmt == "slack":
        return Request(url, json_headers, _json(_slack(message)))
    if fmt == "feishu":
        payload: dict[str, Any] = {"msg_type": "interactive", "card": _feishu_card(message)}
        if secret:
            timestamp = int(now)
            payload = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **payload}
        return Request(url, json_headers, _json(payload))
    if fmt == "dingtalk":
        if secret:
            ms = int(now * 1000)
            url = f"{url}{'&' if '?' in url else '?'}timestamp={ms}&sign={dingtalk_sign(secret, ms)}"
        if message.actions:  # an ActionCard: one button per link, side by side
            card = {
                "title": message.title,
                "text": _text(message),
                "btnOrientation": "1",
                "btns": [{"title": label, "actionURL": link} for label, link in message.buttons],
            }
            body = _json({"msgtype": "actionCard", "actionCard": card})
        else:
            body = _json(
                {"msgtype": "markdown", "markdown": {"title": message.title, "text": _markdown(message)}}
            )
        return Request(url, json_headers, body)
    if fmt == "wecom":
        # WeCom markdown is at most 4,096 bytes: the text is cut, never the links.
        links = "\n\n" + _links(message) if message.buttons else ""
        budget = 4000 - len(links.encode())
        content = _text(message).encode()[:budget].decode(errors="ignore") + links
        return Request(url, json_headers, _json({"msgtype": "markdown", "markdown": {"content": content}}))
    raise ValueError(f"unknown webhook format {fmt!r}")
