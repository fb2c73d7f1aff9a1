"""The "Done means" through a real `openxm worker` on Redis: the YAML applied with the command,
an NPS 2 response posted through the API (in a separate process, as a web server would), and
the webhook delivered by the worker, correctly signed, carrying that response's id.

Runs when OPENXM_TEST_REDIS_URL is set (CI sets it); skipped otherwise."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openxm.alerts.formats import verify_standard

REDIS_URL = os.environ.get("OPENXM_TEST_REDIS_URL")
OPENXM = str(Path(sys.executable).with_name("openxm"))
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="set OPENXM_TEST_REDIS_URL=redis://127.0.0.1:6379/15 to run"),
]

# Posts one response through the API with Django's test client, in its own process.
POST = """
import django, json, sys
django.setup()
from django.test import Client
from openxm.accounts import services
from openxm.surveys import services as surveys
org = services.get_organization("acme")
operator = services.operator_actor(org)
s = surveys.create_from_template(operator, "relationship-nps", key="nps")
surveys.publish_survey(operator, s.pk)
key = services.create_api_key(operator, "test", "admin").plaintext
out = Client(HTTP_HOST="127.0.0.1").post(
    "/api/v1/surveys/nps/responses",
    data=json.dumps({"answers": {"nps": 2}, "idempotency_key": "celery-1"}),
    content_type="application/json",
    headers={"Authorization": "Bearer " + key},
)
print(json.dumps(out.json()))
"""


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENXM_", "DATABASE_URL", "CELERY_"))}
    env.update(
        {
            "OPENXM_HOME": str(home),
            "OPENXM_SECRET_KEY": "celery-test-key-0123456789-0123456789-abcdef",
            "CELERY_BROKER_URL": REDIS_URL,
            "OPENXM_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "DJANGO_SETTINGS_MODULE": "openxm.settings",
        }
    )
    return env


def test_a_worker_on_redis_delivers_the_signed_webhook(tmp_path, receiver):
    hook = receiver()
    env = _env(tmp_path)
    run = {"env": env, "check": True, "capture_output": True, "text": True, "timeout": 180}
    subprocess.run([OPENXM, "migrate"], **run)
    subprocess.run(
        [OPENXM, "createadmin", "--org", "acme", "--email", "a@example.com", "--password-stdin"],
        input="correct-horse-battery-staple\n",
        **run,
    )
    doc = tmp_path / "alerts.yaml"
    doc.write_text(
        "webhooks:\n  - key: cx-team\n    format: standard\n"
        f"    url: {hook.url}\n    secret: {SECRET}\n"
        "rules:\n  - key: detractors\n    name: Detractors\n    when: {score: nps, op: lte, value: 6}\n"
        "    actions:\n      - webhook: cx-team\n"
    )
    subprocess.run([OPENXM, "alerts", "apply", str(doc), "--org", "acme"], **run)
    worker = subprocess.Popen(
        [OPENXM, "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        posted = subprocess.run([sys.executable, "-c", POST], **run)
        response_id = json.loads(posted.stdout.strip().splitlines()[-1])["responses"][0]["id"]
        deadline = time.monotonic() + 60
        while not hook.requests and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert len(hook.requests) == 1
    request = hook.requests[0]
    headers = request["headers"]
    assert verify_standard(SECRET, headers, request["body"], int(headers["webhook-timestamp"]))
    assert json.loads(request["body"])["data"]["response"]["id"] == response_id
