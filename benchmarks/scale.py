"""Scale-out: text analytics with one and two Celery workers, HTTP ingestion with one and two web
processes, on PostgreSQL and Redis.

    .venv/bin/python benchmarks/scale.py --database-url postgres://postgres@127.0.0.1:5432/openxm_bench \\
        --redis-url redis://127.0.0.1:6379/9                           # the full run: 1,000,000 comments
    .venv/bin/python benchmarks/scale.py ... --comments 100000 --requests 3000   # a short run

The database named by ``--database-url`` is WIPED (its ``public`` schema is dropped) and the Redis
database of ``--redis-url`` flushed: give ones of their own.

1. Analysis. ``--comments`` NPS responses, each with a free-text reason (a sentence built from
   a few hundred English and Chinese fragments, so the texts vary), are stored through
   ``collect.record_batch`` (the collection API's service) in batches of 2,000; the analysis
   tasks that storing queues are discarded. Then, for one and for two workers of one process
   each (``celery -A openxm.celery worker --concurrency 1``, what ``openxm worker`` runs, with a
   node name each): the workers are started and answer a ping, every response is queued for
   analysis as ``openxm.comments.analyse_responses`` tasks of 500 responses (what an
   import's commits queue with a broker), and the time until the queue is empty and nothing is
   unacknowledged is measured. Throughput is comments analysed per second; the speed-up is
   two workers' throughput over one's, in the same run. Every comment must have exactly one
   analysis row afterwards (checked). Note: ``openxm comments reanalyse`` is ONE task (one job
   row with progress), so it does not spread over workers; the batch tasks measured here do.
2. Ingestion. A gunicorn server (``openxm serve``'s application, 4 threads per process) with one
   and then two processes; ``--requests`` single-response POSTs to the keyed collection API over
   16 keep-alive connections (``benchmarks/ingest.py``'s client): responses per second, p50/p99
   and the speed-up.

A machine with two cores shared with other work bounds both speed-ups well below 2: the
``uptime`` load is printed at the start and end. The last line printed is JSON.
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest  # the benchmark client and server of benchmarks/ingest.py

ROOT = ingest.ROOT
PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))
LOAD_BATCH = 2000
TASK_BATCH = 500

EN = (
    ["The staff were", "Delivery was", "The app is", "Checkout was", "The price is", "Support was"],
    ["friendly", "slow", "confusing", "quick", "too high", "helpful", "rude", "excellent", "late"],
    ["and I will come back.", "but the queue was long.", "so I gave up.", "as always.", "this time."],
)
ZH = (
    ["服务员", "配送", "这个应用", "结账", "价格", "客服"],
    ["很热情", "太慢了", "让人困惑", "很快", "太贵", "很有帮助", "态度很差", "非常好", "迟到了"],
    ["，下次还会来。", "，但是排队太久。", "，所以我放弃了。", "，一如既往。", "。"],
)


def comment(rng: random.Random) -> str:
    parts = EN if rng.random() < 0.5 else ZH
    sep = " " if parts is EN else ""
    return sep.join(rng.choice(p) for p in parts) + f" #{rng.randrange(100000)}"


# --- children: run with the benchmark's environment --------------------------------------------


def child_comments(n: int) -> None:
    """The NPS survey of the ``bench`` organization with ``n`` responses carrying a comment."""
    ingest._django()
    from openxm.accounts import services as accounts
    from openxm.surveys import collect
    from openxm.surveys import services as surveys

    org = accounts.get_organization("bench")
    actor = accounts.operator_actor(org)
    survey = surveys.create_from_template(actor, "relationship-nps", key="nps")
    surveys.publish_survey(actor, survey.pk)
    survey = collect.survey_for_submissions(actor, "nps")
    rng = random.Random(7)
    started = time.perf_counter()
    for first in range(0, n, LOAD_BATCH):
        subs = []
        for i in range(first, min(n, first + LOAD_BATCH)):
            score = rng.randrange(11)
            reason = (
                "reason_promoter" if score >= 9 else "reason_detractor" if score <= 6 else "reason_passive"
            )
            subs.append(
                collect.Submission(answers={"nps": score, reason: comment(rng)}, idempotency_key=f"n{i}")
            )
        collect.record_batch(org, survey, subs)
    print(json.dumps({"org": org.pk, "survey": survey.pk, "load_s": time.perf_counter() - started}))


def child_enqueue(org_id: int, survey_id: int) -> None:
    """Queue every response of the survey for analysis, ``TASK_BATCH`` per task."""
    ingest._django()
    from openxm.accounts.models import Organization
    from openxm.comments.tasks import analyse_responses_task
    from openxm.surveys.models import Response

    org = Organization.objects.get(pk=org_id)
    ids = list(
        Response.objects.for_org(org).filter(survey_id=survey_id).order_by("pk").values_list("pk", flat=True)
    )
    for first in range(0, len(ids), TASK_BATCH):
        analyse_responses_task.delay(org_id, ids[first : first + TASK_BATCH])
    print(json.dumps({"responses": len(ids), "tasks": (len(ids) + TASK_BATCH - 1) // TASK_BATCH}))


def child_check(survey_id: int) -> None:
    ingest._django()
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT COUNT(*) FROM surveys_answer "
            "WHERE survey_id = %s AND qtype = 'text' AND value_text <> ''",
            [survey_id],
        )
        comments = c.fetchone()[0]
        c.execute(
            "SELECT COUNT(*), COUNT(DISTINCT answer_id) FROM comments_commentanalysis WHERE survey_id = %s",
            [survey_id],
        )
        rows, distinct = c.fetchone()
    print(json.dumps({"comments": comments, "analysis_rows": rows, "distinct_answers": distinct}))


def child_ping(n: int) -> None:
    """Wait until ``n`` workers answer a ping."""
    ingest._django()
    from openxm.celery import app

    deadline = time.time() + 180
    while time.time() < deadline:
        if len(app.control.ping(timeout=1.0) or []) >= n:
            print(json.dumps({"workers": n}))
            return
    raise SystemExit(f"{n} workers did not answer")


# --- orchestration ------------------------------------------------------------------------------


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def wipe_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def drained(redis) -> bool:
    return redis.llen("celery") == 0 and redis.hlen("unacked") == 0


def bench_analysis(env: dict, redis, setup: dict, n_workers: int, comments: int, home: Path) -> dict:
    workers = []
    for i in range(n_workers):
        log = (home / f"worker-{n_workers}-{i}.log").open("w")
        # `celery worker` itself (what `openxm worker` runs) for a node name of its own per worker.
        argv = [
            CELERY,
            "-A",
            "openxm.celery",
            "worker",
            "-n",
            f"w{i}@%h",
            "--concurrency",
            "1",
            "-l",
            "WARNING",
        ]
        workers.append(subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        child(env, "ping", str(n_workers))
        started = time.perf_counter()
        queued = child(env, "enqueue", str(setup["org"]), str(setup["survey"]))
        while not drained(redis):
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=60)
    check = child(env, "check", str(setup["survey"]))
    assert check["analysis_rows"] == check["distinct_answers"] == check["comments"] == comments, check
    return {
        "workers": n_workers,
        "tasks": queued["tasks"],
        "seconds": round(elapsed, 2),
        "comments_per_s": round(comments / elapsed, 1),
    }


def bench_ingestion(env: dict, setup: dict, processes: int, requests: int, home: Path) -> dict:
    port = ingest.free_port()
    with (home / f"serve-{processes}.log").open("w") as log:
        server = subprocess.Popen(
            [PYTHON, ingest.__file__, "--child", "serve", str(port), str(processes), "4"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    rng = random.Random(processes)
    path = f"/api/v1/surveys/{setup['csat']}/responses"
    try:
        ingest.wait_for(port)
        warm, _ = ingest.make_bodies(f"w{processes}-{uuid.uuid4().hex[:4]}-", 100, 1, rng)
        asyncio.run(ingest.run_load(port, setup["key"], path, warm, 16))
        bodies, n = ingest.make_bodies(f"p{processes}-{uuid.uuid4().hex[:4]}-", requests, 1, rng)
        result = asyncio.run(ingest.run_load(port, setup["key"], path, bodies[:requests], 16))
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {
        "processes": processes,
        "responses_per_s": round(n / result["elapsed"], 1),
        "p50_ms": round(result["p50_ms"], 1),
        "p99_ms": round(result["p99_ms"], 1),
        "statuses": result["statuses"],
    }


def child(env: dict, kind: str, *args: str) -> dict:
    out = subprocess.run([PYTHON, __file__, "--child", kind, *args], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"child {kind} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, rest = sys.argv[2], sys.argv[3:]
        {
            "comments": lambda: child_comments(int(rest[0])),
            "enqueue": lambda: child_enqueue(int(rest[0]), int(rest[1])),
            "check": lambda: child_check(int(rest[0])),
            "ping": lambda: child_ping(int(rest[0])),
        }[kind]()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to WIPE and use")
    parser.add_argument("--redis-url", required=True, help="a Redis database to FLUSH and use as the broker")
    parser.add_argument("--comments", type=int, default=1_000_000, help="responses with a comment to analyse")
    parser.add_argument("--requests", type=int, default=20_000, help="single-response POSTs per server size")
    parser.add_argument("--skip", choices=["analysis", "ingestion"], help="leave one part out")
    args = parser.parse_args()
    import redis as redis_py

    print(f"openxm scale-out benchmark on {os.cpu_count()} CPUs; load before: {uptime()}")
    home = Path(tempfile.mkdtemp(prefix="openxm-scale-"))
    env = {
        **os.environ,
        "OPENXM_HOME": str(home),
        "OPENXM_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "DJANGO_SETTINGS_MODULE": "openxm.settings",
        "OPENXM_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "OPENXM_EMBEDDED_SCHEDULER": "false",
    }
    redis = redis_py.Redis.from_url(args.redis_url)
    wipe_postgres(args.database_url)
    redis.flushdb()
    # ingest.py's setup: migrate, the "bench" organization, an API key, the published CSAT survey.
    base = ingest.child(env, "--child", "setup")
    setup = {"key": base["key"], "csat": base["survey"]}
    out: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count()}
    if args.skip != "analysis":
        loaded = child(env, "comments", str(args.comments))
        redis.flushdb()  # the analysis that storing queued: measured below instead
        setup.update(org=loaded["org"], survey=loaded["survey"])
        print(f"stored {args.comments:,} responses with a comment in {loaded['load_s']:.0f} s")
        runs = [bench_analysis(env, redis, setup, w, args.comments, home) for w in (1, 2)]
        for r in runs:
            print(
                f"  analysis, {r['workers']} worker(s): {r['comments_per_s']:>8.1f} comments/s "
                f"({r['seconds']} s)"
            )
        speedup = runs[1]["comments_per_s"] / runs[0]["comments_per_s"]
        print(f"  speed-up with two workers: {speedup:.2f}")
        out.update(comments=args.comments, analysis=runs, analysis_speedup=round(speedup, 2))
    if args.skip != "ingestion":
        runs = [bench_ingestion(env, setup, p, args.requests, home) for p in (1, 2)]
        for r in runs:
            print(
                f"  ingestion, {r['processes']} web process(es): {r['responses_per_s']:>8.1f} responses/s "
                f"p50 {r['p50_ms']} ms p99 {r['p99_ms']} ms {r['statuses']}"
            )
        speedup = runs[1]["responses_per_s"] / runs[0]["responses_per_s"]
        print(f"  speed-up with two web processes: {speedup:.2f}")
        out.update(requests=args.requests, ingestion=runs, ingestion_speedup=round(speedup, 2))
    out["load_after"] = uptime()
    print(f"load after: {out['load_after']}")
    redis.flushdb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
