"""Sustained response ingestion through the HTTP API, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/ingest.py                    # both databases
    .venv/bin/python benchmarks/ingest.py --db sqlite --single 5000 --batches 300

For each database: a fresh database and OPENXM_HOME, ``migrate``, an organization with an API key
and the published transactional-csat survey; a gunicorn server (the same WSGI application as
``openxm serve``, without its access log) on this machine; then an asyncio HTTP/1.1 client with
keep-alive connections posts

- single: one response per request (``POST /api/v1/surveys/{id}/responses``), and
- batch: 100 responses per request (``{"responses": [...]}``),

each with its own idempotency key; 1% of the requests are sent twice (a client retry), which
must not store anything twice. Afterwards the stored rows are counted: ``lost`` = keys sent but
not stored, ``duplicated`` = rows beyond one per key. Every response is fully validated and
stored with its typed answers, and every ``responses_recorded`` receiver of the installed apps
runs, as in production (rollups in the same transaction). The answers are numeric (CSAT, a
matrix, a choice, a likert item), no free text, so text analytics is not part of the figure.

A second baseline is the floor of the web stack: an authenticated ``GET /api/v1/me`` (Django
middleware, django-ninja, the API-key check; no database write) under the same load as the
single requests; ``ratio_single_to_empty`` says how close storing a response comes to it.

The baseline is a raw INSERT of the same rows (the response row and its answer rows, same
values) into the same database in the same run, with the driver itself (``raw_insert.py``:
``sqlite3``/psycopg ``executemany``, ids assigned by the client): one transaction per response
for the single figure, one per 100 responses for the batch figure. The ratio is
API throughput / raw INSERT throughput.

The last line printed is JSON: single_per_s, batch_per_s, lost, duplicated (the worst over the
databases run), plus per-database figures with p50/p99 latencies and the baselines.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"


# --- helpers run in a child process with the benchmark's environment -------------------------


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openxm.settings")
    import django

    django.setup()


def child_setup() -> None:
    """Migrate, then an organization, an admin API key and the published CSAT survey."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    from openxm.accounts import services as accounts
    from openxm.surveys import services as surveys

    org = accounts.bootstrap_organization("bench", "Benchmark")
    actor = accounts.operator_actor(org)
    key = accounts.create_api_key(actor, "bench", "admin").plaintext
    survey = surveys.create_from_template(actor, "transactional-csat")
    surveys.publish_survey(actor, survey.pk)
    print(json.dumps({"key": key, "survey": survey.pk}))


def child_count(prefix: str) -> None:
    """Rows stored under the keys of this run: total and distinct keys."""
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT idempotency_key) FROM surveys_response "
            "WHERE idempotency_key LIKE %s",
            [prefix + "%"],
        )
        total, distinct = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*) FROM surveys_answer a JOIN surveys_response r ON a.response_id = r.id "
            "WHERE r.idempotency_key LIKE %s",
            [prefix + "%"],
        )
        answers = cursor.fetchone()[0]
    print(json.dumps({"total": total, "distinct": distinct, "answers": answers}))


def child_raw(n: int, per_txn: int, survey_id: int) -> None:
    """Raw INSERT of n responses (and their answer rows) with the driver, per_txn per transaction."""
    _django()
    from datetime import UTC, datetime

    import raw_insert
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT organization_id, current_version_id FROM surveys_survey WHERE id = %s", [survey_id]
        )
        org_id, version_id = cursor.fetchone()
    connection.close()
    rng = random.Random(7)
    prefix = f"raw-{uuid.uuid4().hex[:8]}-"

    def responses():
        for i in range(n):
            answers = _answers(rng)
            now = datetime.now(UTC)
            meta = json.dumps({"path": ["overall", "details"]})
            values = (
                org_id,
                survey_id,
                version_id,
                f"{prefix}{i}",
                "complete",
                "api",
                "purchase",
                "en",
                json.dumps(answers),
                "{}",
                meta,
                1.0,
                now,
                now,
                now,
            )
            rows = [
                (org_id, None, survey_id, q, sub, qtype, num, "", choice, choices, "purchase", "", now)
                for q, sub, qtype, num, choice, choices in _answer_rows(answers)
            ]
            yield values, rows

    print(json.dumps(raw_insert.insert(responses(), per_txn)))


def _answers(rng: random.Random) -> dict:
    csat = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 9, 8])[0]
    answers = {
        "csat": csat,
        "parts": {k: rng.randint(1, 5) for k in ("availability", "checkout", "staff", "fulfilment")},
        "repurchase": rng.randint(1, 5),
    }
    if csat <= 3:
        answers["improve"] = rng.sample(
            ["price", "quality", "availability", "waiting", "staff", "delivery"], 2
        )
    return answers


def _answer_rows(answers: dict) -> list[tuple]:
    rows = [("csat", "", "csat", answers["csat"], "", None)]
    rows += [("parts", k, "matrix", v, "", None) for k, v in answers["parts"].items()]
    if "improve" in answers:
        rows.append(("improve", "", "multiple_choice", None, "", json.dumps(sorted(answers["improve"]))))
    rows.append(("repurchase", "", "likert", answers["repurchase"], "", None))
    return rows


def child_serve(port: int, workers: int, threads: int) -> None:
    _django()
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"127.0.0.1:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("keepalive", 30)
            self.cfg.set("backlog", 2048)
            self.cfg.set("loglevel", "warning")
            self.cfg.set("timeout", 120)

        def load(self):
            from openxm.wsgi import application

            return application

    Server().run()


# --- the load generator ----------------------------------------------------------------------


class Conn:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def post(self, path: str, body: bytes, key: str, method: str = "POST") -> int:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
        if length:
            await self.reader.readexactly(length)
        return int(status_line.split()[1])


async def run_load(
    port: int, key: str, path: str, bodies: list[bytes], concurrency: int, method: str = "POST"
) -> dict:
    """Send every body once (plus the planned retries) over ``concurrency`` connections."""
    queue: asyncio.Queue = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def worker():
        conn = await Conn.open(port)
        try:
            while True:
                try:
                    body = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                for attempt in range(5):
                    started = time.perf_counter()
                    try:
                        status = await asyncio.wait_for(conn.post(path, body, key, method), timeout=300)
                    except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
                        conn.writer.close()
                        conn = await Conn.open(port)
                        continue
                    latencies.append(time.perf_counter() - started)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status < 500:
                        break
                    await asyncio.sleep(0.05 * (attempt + 1))
        finally:
            conn.writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "elapsed": elapsed,
        "requests": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "statuses": statuses,
    }


def make_bodies(
    prefix: str, n_requests: int, per_request: int, rng: random.Random
) -> tuple[list[bytes], int]:
    """Request bodies with unique keys; 1% of requests are repeated (client retries)."""
    bodies = []
    for i in range(n_requests):
        items = [
            {"answers": _answers(rng), "idempotency_key": f"{prefix}{i}-{j}", "channel": "api"}
            for j in range(per_request)
        ]
        payload = items[0] if per_request == 1 else {"responses": items}
        bodies.append(json.dumps(payload).encode())
    retries = [bodies[i] for i in rng.sample(range(n_requests), max(1, n_requests // 100))]
    return bodies + retries, n_requests * per_request


# --- orchestration ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child(env: dict, *args: str) -> dict:
    out = subprocess.run([PYTHON, __file__, *args], env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def prepare_postgres(url: str) -> str:
    import psycopg

    name = f"openxm_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str, name_url: str) -> None:
    import psycopg

    name = name_url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_database(db: str, args) -> dict:
    home = tempfile.mkdtemp(prefix=f"openxm-bench-{db}-")
    env = {
        **os.environ,
        "OPENXM_HOME": home,
        "OPENXM_SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
        "DJANGO_SETTINGS_MODULE": "openxm.settings",
        "OPENXM_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)
    pg_url = None
    if db == "postgres":
        pg_url = prepare_postgres(args.pg_url)
        env["DATABASE_URL"] = pg_url
    else:
        env.pop("DATABASE_URL", None)
    setup = child(env, "--child", "setup")
    port = free_port()
    server_log = open(Path(home) / "server.log", "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen(
        [PYTHON, __file__, "--child", "serve", str(port), str(args.workers), str(args.threads)],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    rng = random.Random(42)
    prefix = f"b{uuid.uuid4().hex[:6]}-"
    path = f"/api/v1/surveys/{setup['survey']}/responses"
    try:
        wait_for(port)
        warm, _ = make_bodies(prefix + "w", 200, 1, rng)
        asyncio.run(run_load(port, setup["key"], path, warm, args.concurrency))
        # The floor: an authenticated API request that stores nothing (GET /me), same load.
        empty = asyncio.run(
            run_load(port, setup["key"], "/api/v1/me", [b""] * args.single, args.concurrency, "GET")
        )
        single_bodies, single_n = make_bodies(prefix + "s", args.single, 1, rng)
        single = asyncio.run(run_load(port, setup["key"], path, single_bodies, args.concurrency))
        batch_bodies, batch_n = make_bodies(prefix + "b", args.batches, 100, rng)
        batch = asyncio.run(run_load(port, setup["key"], path, batch_bodies, max(2, args.concurrency // 4)))
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()
    errors = (Path(home) / "server.log").read_text(errors="replace").count("Traceback")
    counts = {kind: child(env, "--child", "count", prefix + kind) for kind in ("s", "b")}
    expected = {"s": single_n, "b": batch_n}
    lost = sum(max(0, expected[k] - counts[k]["distinct"]) for k in expected)
    duplicated = sum(counts[k]["total"] - counts[k]["distinct"] for k in expected)
    raw_single = child(env, "--child", "raw", str(min(args.single, 5000)), "1", str(setup["survey"]))
    raw_batch = child(env, "--child", "raw", str(min(args.batches * 100, 20000)), "100", str(setup["survey"]))
    if pg_url:
        drop_postgres(args.pg_url, pg_url)
    single_per_s = single_n / single["elapsed"]
    batch_per_s = batch_n / batch["elapsed"]
    empty_per_s = empty["requests"] / empty["elapsed"]
    return {
        "database": db,
        "empty_request_per_s": round(empty_per_s, 1),
        "empty_request_p50_ms": round(empty["p50_ms"], 2),
        "ratio_single_to_empty": round(single_per_s / empty_per_s, 3),
        "single_per_s": round(single_per_s, 1),
        "single_p50_ms": round(single["p50_ms"], 2),
        "single_p99_ms": round(single["p99_ms"], 2),
        "single_statuses": single["statuses"],
        "batch_per_s": round(batch_per_s, 1),
        "batch_p50_ms": round(batch["p50_ms"], 2),
        "batch_p99_ms": round(batch["p99_ms"], 2),
        "batch_statuses": batch["statuses"],
        "raw_insert_single_per_s": round(raw_single["per_s"], 1),
        "raw_insert_batch_per_s": round(raw_batch["per_s"], 1),
        "ratio_single": round(single_per_s / raw_single["per_s"], 3),
        "ratio_batch": round(batch_per_s / raw_batch["per_s"], 3),
        "sent": single_n + batch_n,
        "stored": counts["s"]["distinct"] + counts["b"]["distinct"],
        "answer_rows": counts["s"]["answers"] + counts["b"]["answers"],
        "lost": lost,
        "duplicated": duplicated,
        "server_errors_logged": errors,
        "server_log": str(Path(home) / "server.log"),
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, rest = sys.argv[2], sys.argv[3:]
        if kind == "setup":
            child_setup()
        elif kind == "count":
            child_count(rest[0])
        elif kind == "raw":
            child_raw(int(rest[0]), int(rest[1]), int(rest[2]))
        elif kind == "serve":
            child_serve(int(rest[0]), int(rest[1]), int(rest[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("OPENXM_TEST_DATABASE_URL", PG_DEFAULT).rsplit("/", 1)[0] + "/postgres",
        help="a PostgreSQL server to create the benchmark database on",
    )
    parser.add_argument("--single", type=int, default=4000, help="requests with one response each")
    parser.add_argument("--batches", type=int, default=100, help="requests with 100 responses each")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections (batches: a quarter)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args()
    print(
        f"openxm ingestion benchmark on {os.cpu_count()} CPUs: {args.single} single requests, "
        f"{args.batches} batches of 100, {args.concurrency} connections, "
        f"{args.workers} workers x {args.threads} threads"
    )
    results = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        r = bench_database(db, args)
        results.append(r)
        print(f"\n{db}:")
        print(
            f"  empty:  {r['empty_request_per_s']:>8.1f} requests/s  p50 {r['empty_request_p50_ms']:.1f} ms  "
            f"(authenticated GET /api/v1/me, stores nothing: the framework's floor)"
        )
        print(
            f"  single: {r['single_per_s']:>8.1f} responses/s  p50 {r['single_p50_ms']:.1f} ms  "
            f"p99 {r['single_p99_ms']:.1f} ms  (raw INSERT {r['raw_insert_single_per_s']:.0f}/s, "
            f"ratio {r['ratio_single']:.3f})  statuses {r['single_statuses']}"
        )
        print(
            f"  batch:  {r['batch_per_s']:>8.1f} responses/s  p50 {r['batch_p50_ms']:.1f} ms  "
            f"p99 {r['batch_p99_ms']:.1f} ms  (raw INSERT {r['raw_insert_batch_per_s']:.0f}/s, "
            f"ratio {r['ratio_batch']:.3f})  statuses {r['batch_statuses']}"
        )
        print(
            f"  sent {r['sent']} distinct responses, stored {r['stored']} ({r['answer_rows']} answer rows): "
            f"lost {r['lost']}, duplicated {r['duplicated']}"
        )
    load = os.getloadavg()
    print(f"\nload average at the end (shared CPUs): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    summary = {
        "load_average": [round(x, 2) for x in load],
        "single_per_s": min(r["single_per_s"] for r in results),
        "batch_per_s": min(r["batch_per_s"] for r in results),
        "lost": sum(r["lost"] for r in results),
        "duplicated": sum(r["duplicated"] for r in results),
        "targets": {"single_per_s": 1000, "batch_per_s": 10000},
        "databases": {r["database"]: r for r in results},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
