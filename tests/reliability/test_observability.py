"""Observability: Prometheus metrics at /metrics behind OPENXM_METRICS_TOKEN, the request id in
the X-Request-ID header and in JSON log lines.

In process (Django's test client) for what each metric counts; then a real ``openxm serve`` with
two worker processes, whose one scrape must sum the requests both answered, and whose JSON log
carries the request id it answered.
"""

import io
import json
import logging
import os
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from openxm import logs, metrics

from .servers import Server, openxm_env, provision

TOKEN = "metrics-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _samples(body: str) -> dict[tuple, float]:
    """{(sample name, sorted labels): value} of a scrape."""
    out = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def scrape(client, settings):
    settings.OPENXM_METRICS_TOKEN = TOKEN

    def get() -> dict:
        reply = client.get("/metrics", headers=AUTH)
        assert reply.status_code == 200
        assert reply["Content-Type"].startswith("text/plain; version=")
        return _samples(reply.content.decode())

    return get


def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(client, settings):
    settings.OPENXM_METRICS_TOKEN = ""
    assert client.get("/metrics", headers=AUTH).status_code == 404
    settings.OPENXM_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers=AUTH).status_code == 200


def test_requests_are_counted_and_timed_by_route(client, scrape, csat, public_link):
    before = scrape()
    for _ in range(3):
        assert client.get(public_link).status_code == 200
    assert client.get("/no/such/page").status_code == 404
    after = scrape()
    route = "r/l/<str:token>/"
    counted = _value(after, "openxm_http_requests_total", method="GET", route=route, status="200")
    assert (
        counted - _value(before, "openxm_http_requests_total", method="GET", route=route, status="200") == 3
    )
    timed = "openxm_http_request_duration_seconds_count"
    assert (
        _value(after, timed, method="GET", route=route) - _value(before, timed, method="GET", route=route)
        == 3
    )
    inf = _value(after, "openxm_http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf")
    assert inf == _value(after, timed, method="GET", route=route)
    unmatched = ("openxm_http_requests_total", {"method": "GET", "route": "unmatched", "status": "404"})
    assert _value(after, unmatched[0], **unmatched[1]) - _value(before, unmatched[0], **unmatched[1]) == 1
    assert not any("no/such" in str(key) for key in after), "a raw path became a label"


def test_stored_responses_and_task_failures_are_counted(
    client, scrape, app_token, transactional_db, settings
):
    from openxm.comments.tasks import reanalyse_task
    from openxm.jobs import dispatch

    settings.OPENXM_JOBS_INLINE = True

    before = scrape()
    path = f"/api/v1/public/surveys/{app_token}/responses"
    for i in range(2):
        body = {"answers": {"csat": 4}, "idempotency_key": f"m{i}"}
        assert client.post(path, body, content_type="application/json").status_code == 201
    assert client.post(
        path, {"answers": {"csat": 4}, "idempotency_key": "m0"}, content_type="application/json"
    )
    with pytest.raises(Exception, match="does not exist"):  # no such organization
        dispatch(reanalyse_task, 987654, 1)
    after = scrape()
    ingested = "openxm_responses_ingested_total"
    assert _value(after, ingested, channel="app") - _value(before, ingested, channel="app") == 2
    failures = "openxm_task_failures_total"
    task = "openxm.comments.reanalyse"
    assert _value(after, failures, task=task) - _value(before, failures, task=task) == 1


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("OPENXM_TEST_REDIS_URL"), reason="needs OPENXM_TEST_REDIS_URL")
def test_queue_depth_and_unacknowledged_tasks_are_read_from_the_broker(scrape, settings):
    import redis

    url = os.environ["OPENXM_TEST_REDIS_URL"]
    settings.CELERY_BROKER_URL = url
    broker = redis.Redis.from_url(url)
    broker.flushdb()
    try:
        broker.rpush("celery", "a", "b")
        broker.rpush("celery\x06\x169", "c")  # a priority sub-queue
        broker.hset("unacked", "tag-1", "[]")
        samples = scrape()
        assert _value(samples, "openxm_queue_depth", queue="celery") == 3
        assert _value(samples, "openxm_tasks_unacknowledged") == 1
    finally:
        broker.flushdb()
        broker.close()


def test_every_response_carries_a_request_id_and_json_logs_carry_it(client, settings):
    settings.OPENXM_LOG_FORMAT = "json"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    logs.request_log.addHandler(handler)
    try:
        given = client.get("/health", headers={"X-Request-ID": "lb-7f3a:01"})
        made = client.get("/health")
        forged = client.get("/health", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"})
    finally:
        logs.request_log.removeHandler(handler)
    assert given["X-Request-ID"] == "lb-7f3a:01"
    assert re.fullmatch(r"[0-9a-f]{32}", made["X-Request-ID"])
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == [
        "lb-7f3a:01",
        made["X-Request-ID"],
        forged["X-Request-ID"],
    ]
    assert lines[0]["status"] == 200 and lines[0]["path"] == "/health" and lines[0]["level"] == "INFO"
    assert logs.current_request_id() == "-"


@pytest.mark.slow
def test_one_scrape_sums_every_worker_process_and_the_log_is_json(tmp_path):
    env = openxm_env(tmp_path, OPENXM_METRICS_TOKEN=TOKEN, OPENXM_LOG_FORMAT="json")
    provision(env)
    server = Server(env, workers=2).start()
    try:
        count = lambda s: _value(s, "openxm_http_requests_total", method="GET", route="health", status="200")  # noqa: E731
        before = count(_samples(server.request("GET", "/metrics", headers=AUTH).body.decode()))
        sent = 0
        while sent < 400 and (sent < 40 or len(_pids(server)) < 2):  # until both workers answered
            assert server.request("GET", "/health", headers={"X-Request-ID": f"probe-{sent}"}).status == 200
            sent += 1
        assert len(_pids(server)) == 2, "the requests did not reach both worker processes"
        scraped = [_samples(server.request("GET", "/metrics", headers=AUTH).body.decode()) for _ in range(4)]
        assert [count(s) - before for s in scraped] == [sent] * 4, "a scrape saw only one worker's requests"
    finally:
        server.stop()
    lines = _json_lines(server)
    probe = [line for line in lines if line.get("request_id") == "probe-7"]
    assert len(probe) == 1 and probe[0]["logger"] == "openxm.request" and probe[0]["route"] == "health"
    assert metrics.ENV not in os.environ  # the test process itself stays single-process


def _pids(server: Server) -> set[int]:
    return {line["process"] for line in _json_lines(server) if line.get("path") == "/health"}


def _json_lines(server: Server) -> list[dict]:
    """The server log's JSON lines (gunicorn's own start-up lines are plain text)."""
    return [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]


def test_the_first_requests_of_a_process_racing_each_other_make_the_metrics_once():
    """Threads of a fresh web process all reach the metrics' first use at once (a 500 under load
    before: the second thread registered the same metric again)."""
    import threading

    metrics._made.clear()
    from prometheus_client import REGISTRY

    for name in ("openxm_http_requests", "openxm_http_request_duration_seconds", "openxm_responses_ingested",
                 "openxm_tasks_succeeded", "openxm_task_failures"):  # fmt: skip
        collector = REGISTRY._names_to_collectors.get(name)
        if collector is not None:
            REGISTRY.unregister(collector)
    start, errors = threading.Barrier(8), []

    def first_use():
        start.wait()
        try:
            metrics._m()
        except Exception as exc:  # DuplicateTimeseries before the fix
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({id(metrics._m())}) == 1
