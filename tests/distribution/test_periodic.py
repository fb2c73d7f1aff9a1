"""Periodic work runs by itself: the beat schedule names real tasks, the embedded scheduler runs
each job at its interval (real jobs against the test database and a real SMTP server), and its
lock lets only one scheduler run."""

import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings as django_settings

from openxm import periodic
from openxm.distribution import services
from openxm.distribution.models import Invitation
from openxm.periodic import FileLock, Job, Scheduler


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_beat_schedule_names_registered_tasks():
    from openxm.celery import app

    app.loader.import_default_modules()
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} == {
        "openxm.distribution.tick",
        "openxm.insights.send_due_reports",
        "openxm.alerts.deliver_due",
        "openxm.alerts.early_warning",
        "openxm.profiles.refresh_values",
        "openxm.privacy.apply_retention",
        "openxm.alerts.notify_due",
        "openxm.cases.escalate",
        "openxm.refresh_statistics",
    }
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
    assert app.conf.beat_schedule == schedule  # the Celery app reads it from the settings
    assert {job.task: job.interval for job in periodic.configured_jobs()} == {
        "openxm.distribution.tick": 60.0,
        "openxm.insights.send_due_reports": 300.0,
        "openxm.alerts.deliver_due": 15.0,
        "openxm.alerts.early_warning": 3600.0,
        "openxm.profiles.refresh_values": 86400.0,
        "openxm.privacy.apply_retention": 86400.0,
        "openxm.alerts.notify_due": 60.0,
        "openxm.cases.escalate": 300.0,
        "openxm.refresh_statistics": 86400.0,
    }
    assert app.conf.beat_schedule_filename.startswith(str(django_settings.OPENXM_HOME))


def test_intervals_come_from_the_environment_and_zero_switches_a_job_off(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENXM_", "CELERY_"))}
    env.update(
        OPENXM_HOME=str(tmp_path),
        DJANGO_SETTINGS_MODULE="openxm.settings",
        OPENXM_DISTRIBUTION_TICK_SECONDS="15",
        OPENXM_SEND_REPORTS_SECONDS="0",
        OPENXM_WEBHOOK_RETRY_SECONDS="0",
        OPENXM_EARLY_WARNING_SECONDS="0",
        OPENXM_PROFILE_VALUES_SECONDS="0",
        OPENXM_RETENTION_SECONDS="0",
        OPENXM_ALERT_NOTIFY_SECONDS="0",
        OPENXM_CASE_ESCALATION_SECONDS="0",
        OPENXM_STATISTICS_SECONDS="0",
    )
    code = (
        "from openxm import settings as s; "
        "print(sorted((v['task'], v['schedule']) for v in s.CELERY_BEAT_SCHEDULE.values()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[('openxm.distribution.tick', 15.0)]"


def test_scheduler_runs_each_job_at_its_interval():
    clock, ran = FakeClock(), []
    jobs = [Job("tick", "t", 60), Job("reports", "r", 300)]
    scheduler = Scheduler(jobs, None, clock=clock, run=lambda job: ran.append((clock.now, job.name)))
    for at in (1000, 1030, 1059.9, 1060, 1119, 1120, 1300, 1310):
        clock.now = at
        scheduler.run_pending()
    assert ran == [
        (1000, "tick"),
        (1000, "reports"),
        (1060, "tick"),
        (1120, "tick"),
        (1300, "tick"),
        (1300, "reports"),
    ]
    assert scheduler.runs == {"tick": 4, "reports": 2}


def test_a_failing_job_is_logged_and_the_others_still_run(caplog):
    clock, ran = FakeClock(), []

    def run(job):
        if job.name == "broken":
            raise RuntimeError("smtp down")
        ran.append(job.name)

    scheduler = Scheduler([Job("broken", "b", 60), Job("tick", "t", 60)], None, clock=clock, run=run)
    assert scheduler.run_pending() == ["broken", "tick"]
    assert ran == ["tick"] and "periodic job broken failed" in caplog.text
    clock.now += 60
    assert scheduler.run_pending() == ["broken", "tick"]  # tried again at its next time


def test_embedded_scheduler_sends_a_queued_invitation_with_the_real_jobs(
    org_a, analyst, csat, make_distribution, smtp
):
    dist = make_distribution(csat, "email")
    # Outside a committed transaction nothing is sent inline: the invitation waits, queued.
    result = services.invite_contacts(analyst, dist.pk, [{"id": "c1", "email": "ann@example.com"}])
    (invitation_id,) = result.invited
    assert Invitation.objects.for_org(org_a).get(pk=invitation_id).status == "queued"
    assert smtp.messages == []

    clock = FakeClock()
    # The real jobs of distribution and reports (the alerts' jobs run on their own intervals).
    jobs = [
        j for j in periodic.configured_jobs() if j.name.startswith(("openxm-distribution", "openxm-insights"))
    ]
    scheduler = Scheduler(jobs, None, clock=clock)  # real run_task
    assert sorted(scheduler.run_pending()) == ["openxm-distribution-tick", "openxm-insights-send-reports"]
    assert len(smtp.to("ann@example.com")) == 1
    assert Invitation.objects.for_org(org_a).get(pk=invitation_id).status == "sent"

    services.invite_contacts(analyst, dist.pk, [{"id": "c2", "email": "bo@example.com"}])
    clock.now += 59
    assert scheduler.run_pending() == []  # not due yet
    assert smtp.to("bo@example.com") == []
    clock.now += 1
    assert scheduler.run_pending() == ["openxm-distribution-tick"]
    assert len(smtp.to("bo@example.com")) == 1
    clock.now += 240
    assert sorted(scheduler.run_pending()) == ["openxm-distribution-tick", "openxm-insights-send-reports"]


def test_the_lock_lets_only_one_scheduler_run(tmp_path):
    path = tmp_path / "scheduler.lock"
    clock, ran = FakeClock(), []
    first = Scheduler([Job("tick", "t", 60)], FileLock(path), clock=clock, run=lambda j: ran.append("first"))
    second = Scheduler(
        [Job("tick", "t", 60)], FileLock(path), clock=clock, run=lambda j: ran.append("second")
    )
    assert first.run_pending() == ["tick"]
    assert second.run_pending() == []
    assert second.seconds_to_next() == second.lock_retry  # it only retries the lock
    clock.now += 60
    assert first.run_pending() == ["tick"] and second.run_pending() == []
    assert ran == ["first", "first"]
    assert path.read_text().strip() == str(os.getpid())
    first.stop()  # releases the lock: the second takes over and runs at once
    assert second.run_pending() == ["tick"]
    assert ran == ["first", "first", "second"]
    second.stop()


def test_a_scheduler_in_another_process_holding_the_lock_keeps_this_one_idle(tmp_path):
    path = tmp_path / "scheduler.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from openxm.periodic import FileLock; "
            "assert FileLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        ran = []
        scheduler = Scheduler([Job("tick", "t", 60)], FileLock(path), run=lambda j: ran.append(j.name))
        assert scheduler.run_pending() == [] and ran == []
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert scheduler.run_pending() == ["tick"]  # the holder died: the lock is free
    scheduler.stop()


def test_the_scheduler_thread_runs_jobs_until_stopped(tmp_path):
    path = tmp_path / "scheduler.lock"
    done = threading.Event()
    calls = []

    def run(job):
        calls.append(job.name)
        if calls.count("fast") >= 3:
            done.set()

    scheduler = Scheduler([Job("fast", "f", 0.05), Job("slow", "s", 3600)], FileLock(path), run=run)
    scheduler.start()
    try:
        assert done.wait(10), calls
        assert any(t.name == periodic.THREAD_NAME for t in threading.enumerate())
    finally:
        scheduler.stop()
    assert calls.count("slow") == 1
    assert not any(t.name == periodic.THREAD_NAME for t in threading.enumerate())
    assert FileLock(path).acquire()  # released on stop


def test_test_servers_and_requests_never_start_the_scheduler(client, db):
    client.get("/")
    client.get("/api/v1/openapi.json")
    assert periodic._embedded is None
    assert not any(t.name == periodic.THREAD_NAME for t in threading.enumerate())


def test_the_embedded_scheduler_is_off_with_a_broker_or_the_setting(settings, tmp_path):
    settings.OPENXM_HOME = tmp_path
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert "openxm beat" in periodic.embedded_reason_off()
    assert periodic.start_embedded() is None
    settings.CELERY_BROKER_URL = None
    settings.OPENXM_EMBEDDED_SCHEDULER = False
    assert periodic.embedded_reason_off() == "OPENXM_EMBEDDED_SCHEDULER is off"
    assert periodic.start_embedded() is None
    settings.OPENXM_EMBEDDED_SCHEDULER = True
    settings.CELERY_BEAT_SCHEDULE = {}
    assert periodic.embedded_reason_off() == "no periodic job has an interval"


def test_start_embedded_starts_one_thread_per_process(settings, tmp_path):
    settings.OPENXM_HOME = tmp_path
    settings.CELERY_BEAT_SCHEDULE = {"x": {"task": "openxm.ping", "schedule": 3600.0, "args": ["t"]}}
    first = periodic.start_embedded()
    try:
        assert first is not None and periodic.start_embedded() is first
        deadline = time.monotonic() + 10
        while first.runs.get("x", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert first.runs["x"] == 1
        assert (tmp_path / "scheduler.lock").exists()
    finally:
        periodic.stop_embedded()
    assert periodic._embedded is None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file locks")
def test_lock_release_is_idempotent(tmp_path):
    lock = FileLock(tmp_path / "deep" / "scheduler.lock")
    assert lock.acquire() and lock.acquire() and lock.held
    lock.release()
    lock.release()
    assert not lock.held
