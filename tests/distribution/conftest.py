"""Fixtures for distribution tests: a published survey, a distribution of each kind, contacts."""

import logging

import pytest

from openxm.accounts import services as accounts
from openxm.customers import services as customers
from openxm.distribution import services
from openxm.surveys import services as surveys


@pytest.fixture
def analyst(org_a, make_member):
    return accounts.actor_for_user(make_member(org_a, "analyst"), org_a, via="web")


@pytest.fixture
def make_survey(analyst):
    def make(template: str = "transactional-csat", key: str | None = None, publish: bool = True):
        survey = surveys.create_from_template(analyst, template, key=key)
        if publish:
            surveys.publish_survey(analyst, survey.pk)
        return surveys.get_survey(analyst, survey.pk)

    return make


@pytest.fixture
def csat(make_survey):
    return make_survey("transactional-csat")


@pytest.fixture
def make_distribution(analyst):
    def make(survey, channel: str = "link", **fields):
        return services.create_distribution(
            analyst, survey.pk, channel, name=fields.pop("name", channel), **fields
        )

    return make


@pytest.fixture
def make_contact(org_a):
    def make(external_id: str = "c1", **fields):
        attributes = fields.pop("attributes", {})
        fields.setdefault("email", f"{external_id}@example.com")
        return customers.upsert_contact(org_a, external_id, fields, attributes)

    return make


class _Inbox:
    """What the local SMTP server received: (envelope sender, recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                message_from_bytes(envelope.content, policy=policy.default),
            )
        )
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for _sender, rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free local port; Django sends to it over SMTP."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The server's thread logs each connection at INFO, sometimes after pytest has closed the
    # test's captured output ("--- Logging error ---" noise in the run); its warnings still show.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "cx@freshneighbor.example"
    settings.OPENXM_PUBLIC_URL = "https://cx.example.com"
    try:
        yield inbox
    finally:
        controller.stop()


class FakeMessenger:
    """A local HTTP server speaking just enough of the webhook, SMS gateway, WeChat, WeCom and
    DingTalk APIs; it records every request. ``expire_next`` makes the next send answer with an
    expired-token error, like the real services do."""

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[dict] = []
        self.expire_next = False
        self.fail_status = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                fake.requests.append(
                    {
                        "method": "GET",
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": None,
                    }
                )
                self._reply(
                    200, {"errcode": 0, "access_token": f"token-{len(fake.requests)}", "expires_in": 7200}
                )

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.requests.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": json.loads(raw or b"null"),
                        "raw": raw,
                    }
                )
                if fake.fail_status:
                    return self._reply(fake.fail_status, {"error": "unavailable"})
                if fake.expire_next and "access_token" in self.path:
                    fake.expire_next = False
                    return self._reply(200, {"errcode": 42001, "errmsg": "access_token expired"})
                self._reply(200, {"errcode": 0, "errmsg": "ok", "msgid": 1001, "task_id": 77, "id": "m-1"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def posts(self, prefix: str = "") -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"].startswith(prefix)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_messenger():
    server = FakeMessenger()
    try:
        yield server
    finally:
        server.close()
