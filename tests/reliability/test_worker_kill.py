"""Background work survives a Celery worker killed mid-task: a real ``openxm worker --beat`` on
Redis is SIGKILLed (its whole process group: main process, pool child and beat, as when a
container or host dies) while it is in the middle of each kind of task, and started again.

* Invitation e-mails to a real SMTP server (aiosmtpd): the kill lands while the server holds one
  invitation's RCPT. Afterwards every invitation is ``sent`` and the server holds exactly one
  e-mail for each, under one Message-ID.
* Webhooks to a local HTTP server: the kill lands while the receiver holds one delivery's POST
  (already read: the receiver has seen it). Afterwards every alert's delivery is ``delivered``
  and the receiver saw one ``webhook-id`` per alert: a repeat after the crash carries the same
  idempotency key, so the receiver drops it.
* Text analytics: the kill lands while a batch waits to write its analyses (the test holds a
  lock on the analysis table). Afterwards every comment has exactly one analysis row.

Each kill is checked to have left that task unacknowledged on the broker (so it really was
mid-task), and nothing is done by hand after it: the broker hands the task to the new worker once
``OPENXM_TASK_VISIBILITY_SECONDS`` pass, and beat's periodic runs pick up what a dead worker
had claimed. SQLite by default; a throwaway PostgreSQL cluster on the PostgreSQL pass.
Runs when OPENXM_TEST_REDIS_URL is set (CI sets it).
"""

import asyncio
import contextlib
import email
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .servers import OPENXM, free_port, openxm, openxm_env, wait_for

REDIS_URL = os.environ.get("OPENXM_TEST_REDIS_URL")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="set OPENXM_TEST_REDIS_URL=redis://127.0.0.1:6379/15 to run"),
]

INVITATIONS = 12
ALERTS = 6
COMMENTS = 2000  # four analysis tasks of 500 (openxm.comments.tasks.BATCH)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

# Run in a process of its own with the deployment's environment, as a web server would.
SEED = """
import django, sys
django.setup()
from openxm.accounts import services as accounts
from openxm.distribution import services as distribution
from openxm.surveys import collect, services as surveys
org = accounts.get_organization("acme")
op = accounts.operator_actor(org)
what, n = sys.argv[1], int(sys.argv[2])
if what == "survey":
    s = surveys.create_from_template(op, "relationship-nps", key="nps")
    print(int(surveys.publish_survey(op, s.pk) is not None))
elif what == "invitations":
    s = surveys.create_from_template(op, "transactional-csat", key="csat")
    surveys.publish_survey(op, s.pk)
    dist = distribution.create_distribution(op, s.pk, "email", name="mail")
    contacts = [{"id": f"c{i}", "name": f"C {i}", "email": f"c{i}@example.com"} for i in range(n)]
    print(len(distribution.invite_contacts(op, dist.pk, contacts).invited))
else:
    survey = collect.survey_for_submissions(op, "nps")
    if what == "alerts":
        subs = [collect.Submission(answers={"nps": 2}, idempotency_key=f"a{i}") for i in range(n)]
    else:
        subs = [
            collect.Submission(
                answers={"nps": 9, "reason_promoter": f"The staff were friendly and quick, visit {i}."},
                idempotency_key=f"c{i}",
            )
            for i in range(n)
        ]
    print(len(collect.record_batch(org, survey, subs)))
"""


class Gate:
    """Holds the ``hold_at``-th call until ``release()`` (the test kills the worker meanwhile)."""

    def __init__(self, hold_at: int):
        self.hold_at = hold_at
        self.calls = 0
        self.lock = threading.Lock()
        self.holding = threading.Event()
        self.released = threading.Event()

    def passes(self) -> bool:
        """Count a call; False for the one to hold."""
        with self.lock:
            self.calls += 1
            return self.calls != self.hold_at

    def hold(self) -> None:
        self.holding.set()
        self.released.wait(60)

    def release(self) -> None:
        self.released.set()


class MailServer:
    """aiosmtpd on a free port; the held RCPT never gets its answer before the worker dies."""

    def __init__(self, gate: Gate):
        from aiosmtpd.controller import Controller

        self.gate = gate
        self.messages: list[email.message.Message] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if not self.gate.passes():
            await asyncio.get_running_loop().run_in_executor(None, self.gate.hold)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def stop(self):
        self.controller.stop()


class HookReceiver:
    """A local HTTP server recording each webhook POST; it answers the held one only after the
    worker that sent it is dead."""

    def __init__(self, gate: Gate):
        self.gate = gate
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                if not receiver.gate.passes():
                    receiver.gate.hold()
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender died meanwhile
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Worker:
    """``openxm worker --beat`` in a session of its own, so one SIGKILL reaches all of it."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.process = env, log, None

    def start(self) -> "Worker":
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [OPENXM, "worker", "--concurrency", "1", "--beat", "--loglevel", "INFO"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def _analysis_locked(url: str | None, sqlite: Path):
    """Hold a lock that makes every write of analysis rows wait (SQLite: the database's write
    lock, within the app's 20 s busy timeout; PostgreSQL: a table lock)."""
    if url:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
            conn.execute("LOCK TABLE comments_commentanalysis IN SHARE ROW EXCLUSIVE MODE")
            yield
            conn.rollback()
        return
    import sqlite3

    conn = sqlite3.connect(sqlite, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _unacked(redis) -> list[str]:
    """Names of the tasks a worker took and has not acknowledged (kombu's ``unacked`` hash)."""
    return [json.loads(raw)[0]["headers"]["task"] for raw in redis.hvals("unacked")]


def _drained(redis) -> bool:
    return redis.llen("celery") == 0 and redis.hlen("unacked") == 0


@pytest.fixture
def redis():
    import redis as redis_py

    client = redis_py.Redis.from_url(REDIS_URL)
    client.flushdb()  # the test's own Redis database: no task of an earlier run is left
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def deployment(tmp_path, database, redis):
    """A migrated openxm with an owner, the NPS survey with a detractor alert to the hook
    receiver, a mail server and a worker; yields a namespace of them."""
    url, query = database
    mail_gate, hook_gate = Gate(hold_at=5), Gate(hold_at=3)
    mail, hooks = MailServer(mail_gate), HookReceiver(hook_gate)
    extra = {"DATABASE_URL": url} if url else {}
    env = openxm_env(
        tmp_path,
        CELERY_BROKER_URL=REDIS_URL,
        OPENXM_EMAIL_URL=f"smtp://127.0.0.1:{mail.port}",
        OPENXM_FROM_EMAIL="cx@acme.example",
        OPENXM_PUBLIC_URL="https://cx.acme.example",
        OPENXM_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        # What a dead worker held comes back within seconds instead of the production hour and
        # ten minutes; beat's runs are frequent for the same reason.
        OPENXM_TASK_VISIBILITY_SECONDS="3",
        OPENXM_SEND_CLAIM_SECONDS="2",
        OPENXM_DISTRIBUTION_TICK_SECONDS="1",
        OPENXM_WEBHOOK_RETRY_SECONDS="1",
        OPENXM_SEND_REPORTS_SECONDS="0",
        OPENXM_EARLY_WARNING_SECONDS="0",
        OPENXM_PROFILE_VALUES_SECONDS="0",
        **extra,
    )
    openxm(env, "migrate")
    openxm(env, "createadmin", "--org", "acme", "--email", "a@example.com", "--password-stdin",
           stdin="correct-horse-battery-staple\n")  # fmt: skip
    _seed(env, "survey", 1)
    rules = tmp_path / "alerts.yaml"
    rules.write_text(
        f"webhooks:\n  - key: cx\n    format: standard\n    url: {hooks.url}\n    secret: {SECRET}\n"
        "rules:\n  - key: detractors\n    name: Detractors\n    when: {score: nps, op: lte, value: 6}\n"
        "    actions:\n      - webhook: cx\n"
    )
    openxm(env, "alerts", "apply", str(rules), "--org", "acme")
    worker = Worker(env, tmp_path / "worker.log")

    class Deployment:
        pass

    d = Deployment()
    d.env, d.query, d.redis, d.worker = env, query, redis, worker
    d.url, d.sqlite = url, tmp_path / "openxm.sqlite3"
    d.mail, d.mail_gate, d.hooks, d.hook_gate = mail, mail_gate, hooks, hook_gate
    try:
        yield d
    finally:
        mail_gate.release()
        hook_gate.release()
        worker.stop()
        mail.stop()
        hooks.stop()


def _seed(env: dict, what: str, n: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SEED, what, str(n)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(n)


def _kill_holding(d, gate: Gate, tasks: tuple[str, ...]) -> None:
    """Kill the worker while ``gate`` holds a call made by one of ``tasks`` (the task started on
    commit, or beat's periodic run doing the same work); then let the call go on."""
    assert gate.holding.wait(120), f"no task reached the held call:\n{d.worker.log.read_text()}"
    assert set(tasks) & set(_unacked(d.redis)), "the held task is not unacknowledged on the broker"
    d.worker.kill()
    gate.release()


def test_nothing_is_lost_or_done_twice_when_a_worker_is_killed_mid_task(deployment):
    d = deployment
    d.worker.start()

    # Invitation e-mails: the kill lands in the middle of the 5th e-mail.
    _seed(d.env, "invitations", INVITATIONS)
    _kill_holding(d, d.mail_gate, ("openxm.distribution.dispatch", "openxm.distribution.tick"))
    d.worker.start()
    sent = lambda: d.query("SELECT COUNT(*) FROM distribution_invitation WHERE status = 'sent'")[0][0]  # noqa: E731
    assert wait_for(lambda: sent() == INVITATIONS, 120), d.worker.log.read_text()
    per_invitation: dict[str, set] = {}
    for message in d.mail.messages:
        per_invitation.setdefault(message["X-OpenXM-Invitation"], set()).add(message["Message-ID"])
    assert len(per_invitation) == INVITATIONS
    assert len(d.mail.messages) == INVITATIONS, "an invitation was e-mailed twice"
    assert all(len(ids) == 1 for ids in per_invitation.values())

    # Webhooks: the kill lands while the receiver holds the 3rd alert's POST.
    _seed(d.env, "alerts", ALERTS)
    _kill_holding(d, d.hook_gate, ("openxm.alerts.deliver", "openxm.alerts.deliver_due"))
    d.worker.start()
    delivered = lambda: d.query(  # noqa: E731
        "SELECT COUNT(*) FROM alerts_delivery WHERE status = 'delivered' AND alert_id IS NOT NULL"
    )[0][0]
    assert wait_for(lambda: delivered() == ALERTS, 120), d.worker.log.read_text()
    keys = [r["headers"]["webhook-id"] for r in d.hooks.requests]
    responses = {json.loads(r["body"])["data"]["response"]["id"] for r in d.hooks.requests}
    assert len(set(keys)) == ALERTS == len(responses), "an alert was delivered under two keys"
    repeated = len(keys) - len(set(keys))
    assert repeated <= 1, "more repeats than the one POST the dead worker had not seen answered"

    # Text analytics: the comments are stored while no worker runs (their batches wait on the
    # broker); then the test holds a lock that stops any analysis from being written, starts the
    # worker and kills it while its first batch waits inside its transaction, comments analysed.
    d.worker.stop()
    _seed(d.env, "comments", COMMENTS)
    analysed = lambda: d.query("SELECT COUNT(*) FROM comments_commentanalysis")[0][0]  # noqa: E731
    with _analysis_locked(d.url, d.sqlite):
        d.worker.start()
        assert wait_for(lambda: "openxm.comments.analyse_responses" in _unacked(d.redis), 120, 0.05), (
            d.worker.log.read_text()
        )
        time.sleep(3)  # the batch analyses its comments, then waits for the lock to write them
        d.worker.kill()
    assert analysed() < COMMENTS, "the worker finished before it could be killed mid-analysis"
    d.worker.start()
    assert wait_for(lambda: analysed() >= COMMENTS and _drained(d.redis), 180), d.worker.log.read_text()
    comments = d.query("SELECT COUNT(*) FROM surveys_answer WHERE qtype = 'text' AND value_text <> ''")
    assert comments == [(COMMENTS,)]
    assert analysed() == COMMENTS
    twice = d.query("SELECT answer_id FROM comments_commentanalysis GROUP BY answer_id HAVING COUNT(*) > 1")
    assert twice == [], "a comment was analysed into two rows"

    # The worker's task outcomes reach /metrics through the host's metrics directory.
    from prometheus_client import CollectorRegistry, multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(Path(d.env["OPENXM_HOME"]) / "metrics"))
    done = registry.get_sample_value(
        "openxm_tasks_succeeded_total", {"task": "openxm.comments.analyse_responses"}
    )
    assert done is not None and done >= 1  # at least the batch killed mid-way, run again
