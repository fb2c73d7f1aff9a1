"""Fixtures: a real local HTTP receiver (optionally failing first), an NPS survey, members."""

import http.server
import threading

import pytest

from openxm.accounts import services as accounts
from openxm.surveys import collect
from openxm.surveys import services as surveys


class Receiver:
    """An http.server in a thread that records every POST and answers ``statuses`` in turn
    (then 200)."""

    def __init__(self, statuses=()):
        self.requests: list[dict] = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"try again later")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=()):
        r = Receiver(statuses)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


@pytest.fixture(autouse=True)
def _alerts_settings(settings):
    settings.OPENXM_JOBS_INLINE = True
    settings.OPENXM_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"


@pytest.fixture
def actor_for(org_a, make_member):
    def make(role: str, org=None, email=None):
        org = org or org_a
        return accounts.actor_for_user(make_member(org, role, email), org, via="web")

    return make


@pytest.fixture
def admin(actor_for):
    return actor_for("admin")


@pytest.fixture
def nps_survey(admin):
    s = surveys.create_from_template(admin, "relationship-nps", key="nps")
    surveys.publish_survey(admin, s.pk)
    return surveys.get_survey(admin, s.pk)


@pytest.fixture
def units(org_a, admin):
    accounts.create_unit(admin, "cn", "China", "region")
    accounts.create_unit(admin, "sh", "Shanghai", "region", parent="cn")
    accounts.create_unit(admin, "sh-jingan", "Jing'an", "store", parent="sh")
    accounts.create_unit(admin, "bj", "Beijing", "store", parent="cn")
    return org_a


@pytest.fixture
def respond(org_a, nps_survey, django_capture_on_commit_callbacks):
    def make(score, key, unit="", comment="", contact=None):
        answers = {"nps": score}
        if comment:
            answers["reason_detractor" if score <= 6 else "reason_promoter"] = comment
        sub = collect.Submission(answers=answers, idempotency_key=key, unit=unit, contact=contact)
        with django_capture_on_commit_callbacks(execute=True):
            return collect.record_response(org_a, nps_survey, sub).response

    return make


def quiet_hours_around_now(actor):
    """The member's alert e-mails on, no digest, quiet from an hour ago to an hour from now (UTC);
    returns now."""
    from datetime import UTC, timedelta

    from django.utils import timezone

    from openxm.alerts import notifying

    now = timezone.now().astimezone(UTC)
    notifying.save_settings(
        actor,
        alert_email=True,
        digest="none",
        quiet_start=(now - timedelta(hours=1)).strftime("%H:%M"),
        quiet_end=(now + timedelta(hours=1)).strftime("%H:%M"),
        time_zone="UTC",
    )
    return now
