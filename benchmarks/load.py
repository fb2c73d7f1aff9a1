"""A mixed workload against a real ``openxm serve`` at a stated rate: respondents answering,
dashboards read, agents reading responses.

    .venv/bin/python benchmarks/load.py                                   # 10 minutes, 100 users, 100 req/s
    .venv/bin/python benchmarks/load.py --duration 60 --users 100 --rate 50   # a short run
    .venv/bin/python benchmarks/load.py --database-url postgres://…/openxm_bench   # PostgreSQL (WIPED)

Setup (not timed): a fresh ``OPENXM_HOME`` (SQLite, or the PostgreSQL database given, whose
``public`` schema is dropped), ``migrate``, an organization with the published transactional
CSAT survey, a link and an app distribution, a viewer API key (dashboards) and an agent API key,
and ``--seed`` stored responses so the dashboards have figures. Then ``openxm serve`` with
``--workers`` processes × ``--threads`` threads (respondent rate limits off: every simulated
respondent comes from 127.0.0.1).

The load: ``--users`` simulated users, each with its own keep-alive connection, together sending
``--rate`` requests per second for ``--duration`` seconds (each user sends one request every
users/rate seconds, offset at random; a user whose request is slower than that falls behind,
so the achieved rate is reported). Each request is one of these kinds, drawn with these weights:

| kind | weight | request |
|---|---|---|
| respondent_page | 30 | ``GET /r/l/<token>/`` (the survey page a respondent opens) |
| respondent_submit | 30 | ``POST /api/v1/public/surveys/<token>/responses``, a complete answer |
| dashboard | 25 | ``GET /api/v1/insights/metrics?metric=csat&by=touchpoint`` or ``…/breakdown?by=channel`` |
| agent | 15 | ``GET /api/v1/responses/<id>`` (one response with its context), as an agent |

Reported per kind: requests, throughput, p50 and p99 latency, errors (a status of 400 or more,
or a broken connection; a kept-alive connection the server closed while idle is reopened and the
request sent again, once, as HTTP clients do); then the totals, the requests the server itself
counted (its ``/metrics``) and ``uptime`` before and after. The last line printed is JSON.
Agents' cases do not exist yet in openxm, so agents read responses.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest  # the asyncio client's helpers and the child-process setup of benchmarks/ingest.py

PYTHON = sys.executable
OPENXM = str(Path(PYTHON).with_name("openxm"))
KINDS = {"respondent_page": 30, "respondent_submit": 30, "dashboard": 25, "agent": 15}
METRICS_TOKEN = "load-" + uuid.uuid4().hex


def child_setup(seed: int) -> None:
    ingest._django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from openxm.accounts import services as accounts
    from openxm.distribution import services as distribution
    from openxm.surveys import collect
    from openxm.surveys import services as surveys

    org = accounts.bootstrap_organization("load", "Load test")
    actor = accounts.operator_actor(org)
    survey = surveys.create_from_template(actor, "transactional-csat")
    surveys.publish_survey(actor, survey.pk)
    link = distribution.create_distribution(actor, survey.pk, "link", name="link")
    app = distribution.create_distribution(actor, survey.pk, "app", name="app")
    survey = collect.survey_for_submissions(actor, survey.pk)
    rng = random.Random(3)
    recorded = []
    for first in range(0, seed, 1000):
        subs = [
            collect.Submission(answers={"csat": rng.randint(1, 5)}, idempotency_key=f"seed{i}", channel="api")
            for i in range(first, min(seed, first + 1000))
        ]
        recorded += collect.record_batch(org, survey, subs)
    print(
        json.dumps(
            {
                "page": distribution.public_link(link).split("://", 1)[1].split("/", 1)[1],
                "app_token": distribution.public_link(app).rstrip("/").rsplit("/", 1)[1],
                "viewer": accounts.create_api_key(actor, "viewer", "viewer").plaintext,
                "agent": accounts.create_api_key(actor, "agent", "agent").plaintext,
                "responses": [r.response.pk for r in recorded],
            }
        )
    )


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int):
        self.port, self.reader, self.writer = port, None, None

    async def request(self, method: str, path: str, headers: dict, body: bytes = b"") -> int:
        """One request; on a reused connection the server closed while it sat idle (gunicorn's
        keep-alive timeout), sent once more on a new one, as browsers and HTTP clients do (a
        submission carries its idempotency key, so a repeat cannot store it twice)."""
        reused = self.writer is not None
        try:
            return await self._request(method, path, headers, body)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        return await self._request(method, path, headers, body)

    async def _request(self, method: str, path: str, headers: dict, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write((head + "\r\n").encode() + body)
        await self.writer.drain()
        status = await self.reader.readline()
        if not status:
            raise ConnectionError("the server closed the connection")
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value.strip())
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while size := int((await self.reader.readline()).strip() or b"0", 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        elif length:
            await self.reader.readexactly(length)
        return int(status.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def plan(kind: str, setup: dict, rng: random.Random, n: int) -> tuple[str, str, dict, bytes]:
    if kind == "respondent_page":
        return "GET", "/" + setup["page"], {}, b""
    if kind == "respondent_submit":
        body = {"answers": {"csat": rng.randint(1, 5)}, "idempotency_key": f"load-{uuid.uuid4().hex}"}
        path = f"/api/v1/public/surveys/{setup['app_token']}/responses"
        return "POST", path, {"Content-Type": "application/json"}, json.dumps(body).encode()
    if kind == "dashboard":
        path = (
            "/api/v1/insights/metrics?metric=csat&by=touchpoint"
            if n % 2
            else "/api/v1/insights/breakdown?metric=csat&by=channel"
        )
        return "GET", path, {"Authorization": f"Bearer {setup['viewer']}"}, b""
    path = f"/api/v1/responses/{rng.choice(setup['responses'])}"
    return "GET", path, {"Authorization": f"Bearer {setup['agent']}"}, b""


async def run(port: int, setup: dict, users: int, rate: float, duration: float) -> dict:
    kinds, weights = list(KINDS), list(KINDS.values())
    latencies: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, dict] = {k: {} for k in kinds}
    interval = users / rate
    started = time.perf_counter()
    stop = started + duration

    async def user(i: int):
        rng = random.Random(i)
        client = Client(port)
        due = started + rng.uniform(0, interval)
        n = 0
        try:
            while True:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                if time.perf_counter() >= stop:
                    return
                kind = rng.choices(kinds, weights)[0]
                method, path, headers, body = plan(kind, setup, rng, n)
                t0 = time.perf_counter()
                try:
                    status = await asyncio.wait_for(client.request(method, path, headers, body), 60)
                except (OSError, ConnectionError, asyncio.IncompleteReadError, TimeoutError) as exc:
                    client.close()
                    status = type(exc).__name__
                latencies[kind].append(time.perf_counter() - t0)
                if not isinstance(status, int) or status >= 400:
                    errors[kind][str(status)] = errors[kind].get(str(status), 0) + 1
                n += 1
                due += interval
        finally:
            client.close()

    await asyncio.gather(*(user(i) for i in range(users)))
    elapsed = time.perf_counter() - started
    out = {}
    for kind in kinds:
        values = sorted(latencies[kind])
        out[kind] = {
            "requests": len(values),
            "per_s": round(len(values) / elapsed, 1),
            "p50_ms": round(1000 * statistics.median(values), 1) if values else None,
            "p99_ms": round(1000 * values[min(len(values) - 1, int(len(values) * 0.99))], 1)
            if values
            else None,
            "errors": errors[kind],
        }
    total = sum(len(v) for v in latencies.values())
    out["total"] = {
        "requests": total,
        "per_s": round(total / elapsed, 1),
        "errors": sum(sum(e.values()) for e in errors.values()),
        "seconds": round(elapsed, 1),
    }
    return out


def server_requests(port: int) -> float:
    """Requests the server itself counted (its /metrics), to check the client's count."""
    import urllib.request

    req = urllib.request.Request(f"http://127.0.0.1:{port}/metrics")
    req.add_header("Authorization", f"Bearer {METRICS_TOKEN}")
    with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 (this machine)
        text = r.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("openxm_http_requests_total{") and 'route="metrics"' not in line
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child_setup(int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of load (default 10 minutes)")
    parser.add_argument("--users", type=int, default=100, help="concurrent simulated users")
    parser.add_argument("--rate", type=float, default=100, help="requests per second, all users together")
    parser.add_argument("--workers", type=int, default=2, help="openxm serve worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process")
    parser.add_argument("--seed", type=int, default=5000, help="responses stored before the load")
    parser.add_argument("--database-url", help="a PostgreSQL database to WIPE and use (default: SQLite)")
    parser.add_argument("--redis-url", help="OPENXM_REDIS_URL for the shared cache (default: the database)")
    args = parser.parse_args()
    load_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(
        f"openxm mixed load on {os.cpu_count()} CPUs: {args.users} users, {args.rate:g} requests/s for "
        f"{args.duration:g} s; {args.workers} workers x {args.threads} threads; "
        f"{'PostgreSQL' if args.database_url else 'SQLite'}\nload before: {load_before}"
    )
    home = Path(tempfile.mkdtemp(prefix="openxm-load-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENXM_", "CELERY_", "DATABASE_URL"))},
        "OPENXM_HOME": str(home),
        "OPENXM_SECRET_KEY": "load-" + uuid.uuid4().hex * 2,
        "DJANGO_SETTINGS_MODULE": "openxm.settings",
        "OPENXM_LOG_LEVEL": "WARNING",
        "OPENXM_EMBEDDED_SCHEDULER": "false",
        "OPENXM_INSECURE_COOKIES": "true",
        "OPENXM_RESPOND_RATE_PER_IP": "0",
        "OPENXM_RESPOND_RATE_PER_SURVEY": "0",
        "OPENXM_METRICS_TOKEN": METRICS_TOKEN,
        "PYTHONPATH": str(ingest.ROOT),
    }
    if args.database_url:
        import psycopg

        with psycopg.connect(
            args.database_url.replace("postgres://", "postgresql://", 1), autocommit=True
        ) as c:
            c.execute("DROP SCHEMA IF EXISTS public CASCADE")
            c.execute("CREATE SCHEMA public")
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["OPENXM_REDIS_URL"] = args.redis_url
    done = subprocess.run(
        [PYTHON, __file__, "--child", "setup", str(args.seed)], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    setup = json.loads(done.stdout.strip().splitlines()[-1])
    port = ingest.free_port()
    argv = [OPENXM, "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", str(args.workers), "--threads", str(args.threads)]
    with (home / "serve.log").open("w") as log:
        server = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        ingest.wait_for(port, 120)
        counted_before = server_requests(port)
        result = asyncio.run(run(port, setup, args.users, args.rate, args.duration))
        result["total"]["server_counted"] = server_requests(port) - counted_before
    finally:
        server.terminate()
        server.wait(timeout=60)
    result["total"]["server_tracebacks"] = (home / "serve.log").read_text(errors="replace").count("Traceback")
    load_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"{'kind':<18} {'requests':>8} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8}  errors")
    for kind in KINDS:
        r = result[kind]
        print(
            f"{kind:<18} {r['requests']:>8} {r['per_s']:>7} {r['p50_ms']!s:>8} {r['p99_ms']!s:>8}  "
            f"{r['errors']}"
        )
    t = result["total"]
    print(
        f"total: {t['requests']} requests in {t['seconds']} s = {t['per_s']}/s (stated {args.rate:g}/s), "
        f"{t['errors']} errors; the server counted {t['server_counted']:.0f}\nload after: {load_after}"
    )
    result.update(
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        users=args.users,
        rate=args.rate,
        duration=args.duration,
        workers=args.workers,
        threads=args.threads,
        database="postgresql" if args.database_url else "sqlite",
        load_before=load_before,
        load_after=load_after,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
