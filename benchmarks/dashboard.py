"""Dashboard benchmark: the journey-map query from rollups against the same answer from raw tables.

    .venv/bin/python benchmarks/dashboard.py [--responses 1000000] [--touchpoints 40] [--days 730]
        [--database-url postgres://…] [--repeat 30] [--home DIR] [--keep] [--no-answer-rollup]
        [--check-rebuild]

Loads ``--responses`` completed responses (``--touchpoints`` touchpoints, ``--days`` days ending
yesterday, 3 channels, 8 stores, segment attribute ``tier`` = gold/silver/bronze, NPS on every
response, CSAT on 70 % and CES on 40 %) into a fresh database — SQLite under ``--home`` by default,
PostgreSQL with ``--database-url`` — with the exact schema of the app (migrations), bulk-written
(executemany / COPY), then writes the rollup tables from the same generated rows (numpy
group-by; ``--check-rebuild`` also runs the app's ``openxm rollups rebuild`` and checks it gives
the same metric cube; use it at small sizes).

Times the journey-map query — NPS, CSAT and CES by touchpoint × ISO week for the last 52 weeks,
filtered by one segment (tier = gold) — as the app runs it (``insights.figures.trend_grid`` on
the metric cube, figures with n and 95 % intervals): p50 and p95 of ``--repeat`` runs after one
cold run. Then computes the same answer from the raw response tables (the app's fallback path,
``source="raw"``) once, checks both give the same n and scores in every cell, and reports the
ratio. Also reports loading time, database size and the whole journey-map service (p50).
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TIERS = ["gold", "silver", "bronze"]
CHANNELS = ["email", "sms", "app"]
STORES = [f"store-{i}" for i in range(8)]
CHUNK = 50_000


def say(msg: str) -> None:
    print(msg, flush=True)


def setup(args) -> Path:
    home = Path(args.home or tempfile.mkdtemp(prefix="openxm-bench-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ["OPENXM_HOME"] = str(home)
    os.environ.setdefault("OPENXM_SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")
    os.environ["OPENXM_LOG_LEVEL"] = "WARNING"
    os.environ.pop("CELERY_BROKER_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{home}/openxm.sqlite3{suffix}").unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "openxm.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a fresh schema each run
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    return home


# --- Generating and writing -------------------------------------------------------------------


def generate(n: int, touchpoints: int, days: int, seed: int = 11) -> dict:
    rng = np.random.default_rng(seed)
    tp = rng.integers(0, touchpoints, n).astype(np.int16)
    day = rng.integers(0, days, n).astype(np.int32)
    seconds = rng.integers(0, 86_400, n).astype(np.int32)
    tier = rng.choice(3, n, p=[0.2, 0.45, 0.35]).astype(np.int8)
    channel = rng.integers(0, len(CHANNELS), n).astype(np.int8)
    store = rng.integers(0, len(STORES), n).astype(np.int8)
    # Scores depend a little on the touchpoint and the tier, so figures differ between cells.
    lift = (tp % 7 - 3) * 0.25 + np.array([0.6, 0.0, -0.5])[tier]
    nps = np.clip(np.rint(rng.normal(7.4 + lift, 2.0)), 0, 10).astype(np.int8)
    csat = np.clip(np.rint(rng.normal(3.9 + lift / 2, 0.9)), 1, 5).astype(np.int8)
    ces = np.clip(np.rint(rng.normal(5.1 + lift / 2, 1.2)), 1, 7).astype(np.int8)
    csat[rng.random(n) >= 0.7] = -1
    ces[rng.random(n) >= 0.4] = -1
    return {
        "tp": tp,
        "day": day,
        "seconds": seconds,
        "tier": tier,
        "channel": channel,
        "store": store,
        "nps": nps,
        "csat": csat,
        "ces": ces,
    }


class Writer:
    """executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection):
        self.connection = connection
        self.vendor = connection.vendor

    def write(self, table: str, columns: list[str], rows) -> None:
        if self.vendor == "postgresql":
            raw = self.connection.connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        cursor = self.connection.connection.cursor()
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


def load(
    data: dict, org, survey, version, units: list[int], tp_keys: list[str], first_day: date, vendor: str
):
    """Write responses, answers and segment facts for the generated rows (ids 1…n)."""
    from django.db import connection, transaction

    n = len(data["tp"])
    epoch = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    moments = np.datetime64(epoch.replace(tzinfo=None), "s") + (
        data["day"].astype("timedelta64[D]") + data["seconds"].astype("timedelta64[s]")
    )
    if vendor == "sqlite":
        stamps = np.char.replace(np.datetime_as_string(moments, unit="s"), "T", " ")
    days = np.datetime_as_string(
        np.datetime64(first_day, "D") + data["day"].astype("timedelta64[D]"), unit="D"
    )
    writer = Writer(connection)
    questions = [("nps", "nps"), ("csat", "csat"), ("ces", "ces")]

    def stamp(i):
        if vendor == "sqlite":
            return str(stamps[i])
        return moments[i].astype(datetime).replace(tzinfo=UTC)

    def responses():
        for i in range(n):
            answers = {q: int(data[q][i]) for q, _ in questions if data[q][i] >= 0}
            when = stamp(i)
            yield (
                i + 1,
                org.pk,
                survey.pk,
                version.pk,
                f"b{i}",
                "complete",
                CHANNELS[data["channel"][i]],
                tp_keys[data["tp"][i]],
                "en",
                None,
                units[data["store"][i]],
                json.dumps(answers),
                "{}",
                "{}",
                1.0,
                when,
                when,
                when,
            )

    def answers():
        aid = 0
        for i in range(n):
            when = stamp(i)
            for q, qtype in questions:
                v = int(data[q][i])
                if v >= 0:
                    aid += 1
                    yield (
                        aid,
                        org.pk,
                        i + 1,
                        survey.pk,
                        q,
                        "",
                        qtype,
                        float(v),
                        "",
                        "",
                        None,
                        tp_keys[data["tp"][i]],
                        "",
                        when,
                    )

    def facts():
        for i in range(n):
            yield (org.pk, i + 1, f"tier={TIERS[data['tier'][i]]}", str(days[i]))

    timings = {}
    indexes = (
        _drop_indexes(["surveys_response", "surveys_answer", "insights_responsefact"])
        if vendor == "sqlite"
        else []
    )
    with transaction.atomic():
        started = time.perf_counter()
        writer.write(
            "surveys_response",
            [
                "id",
                "organization_id",
                "survey_id",
                "version_id",
                "idempotency_key",
                "status",
                "channel",
                "touchpoint",
                "language",
                "contact_id",
                "unit_id",
                "answers",
                "hidden",
                "meta",
                "weight",
                "started_at",
                "completed_at",
                "created_at",
            ],
            responses(),
        )
        timings["responses_s"] = time.perf_counter() - started
        started = time.perf_counter()
        writer.write(
            "surveys_answer",
            [
                "id",
                "organization_id",
                "response_id",
                "survey_id",
                "question_id",
                "sub_key",
                "qtype",
                "value_number",
                "value_text",
                "value_choice",
                "value_choices",
                "touchpoint",
                "cx_dimension",
                "answered_at",
            ],
            answers(),
        )
        timings["answers_s"] = time.perf_counter() - started
        started = time.perf_counter()
        writer.write(
            "insights_responsefact", ["organization_id", "response_id", "segment_key", "day"], facts()
        )
        timings["facts_s"] = time.perf_counter() - started
    started = time.perf_counter()
    _restore_indexes(indexes)
    timings["indexes_s"] = time.perf_counter() - started
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("surveys_response", "surveys_answer"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
    return timings


def _drop_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """SQLite bulk load: secondary indexes are dropped and built again after the load (faster
    than updating them row by row), the journal is off while loading. The schema the queries
    run on is the app's, unchanged."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-500000")
        marks = ", ".join("%s" for _ in tables)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            tables,
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return indexes


def _restore_indexes(indexes: list[tuple[str, str]]) -> None:
    from django.db import connection

    if not indexes:
        return
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")


def build_rollups(
    data: dict, org, survey, units: list[int], tp_keys: list[str], first_day: date, answer_rollup: bool
):
    """The rollup rows for the generated responses, written in bulk (numpy group-by)."""
    from django.db import connection, transaction

    from openxm.analytics.rollup_math import bucket_start
    from openxm.insights.rollups import CUBE_KEY, CUBE_SUMS

    writer = Writer(connection)
    n = len(data["tp"])
    T = len(tp_keys)
    ndays = int(data["day"].max()) + 1
    day_dates = [first_day + timedelta(days=d) for d in range(ndays)]
    started = time.perf_counter()
    cube_rows = []
    # column ranges of each metric's counts, Σw and Σw² in a cube row (see insights.rollups.CUBE_SUMS)
    spans = {m: CUBE_SUMS.index(f"{m}{lo}") for m, lo in (("nps", 0), ("csat", 1), ("ces", 1))}
    widths = {"nps": 11, "csat": 5, "ces": 7}
    lows = {"nps": 0, "csat": 1, "ces": 1}
    integral = [not name.endswith(("_w", "_q")) for name in CUBE_SUMS]  # counts are integers (bigint)
    for grain in ("d", "w", "m"):
        bucket_of_day = [bucket_start(d, grain) for d in day_dates]
        buckets = sorted(set(bucket_of_day))
        index = {b: i for i, b in enumerate(buckets)}
        bday = np.array([index[b] for b in bucket_of_day], dtype=np.int64)[data["day"]]
        cell = (bday * 3 + data["tier"]) * T + data["tp"]
        size = len(buckets) * 3 * T
        rows = np.zeros((size, len(CUBE_SUMS)))
        rows[:, 0] = np.bincount(cell, minlength=size)
        for metric, width in widths.items():
            values = data[metric].astype(np.int64)
            keep = values >= 0
            counts = np.bincount(cell[keep] * width + values[keep] - lows[metric], minlength=size * width)
            counts = counts.reshape(size, width)
            at = spans[metric]
            # every weight is 1: count = Σw = Σw² (CUBE_SUMS holds a metric's counts, then Σw, then Σw²)
            rows[:, at : at + width] = counts
            rows[:, at + width : at + 2 * width] = counts
            rows[:, at + 2 * width : at + 3 * width] = counts
        for k in np.nonzero(rows[:, 0])[0].tolist():
            rest, t = divmod(k, T)
            b, tier = divmod(rest, 3)
            values = [
                int(v) if is_count else v for v, is_count in zip(rows[k].tolist(), integral, strict=True)
            ]
            cube_rows.append((org.pk, grain, f"tier={TIERS[tier]}", buckets[b], tp_keys[t], *values))
    cols = list(CUBE_KEY) + CUBE_SUMS
    with transaction.atomic():
        writer.write("insights_metriccube", cols, cube_rows)
    cube_s = time.perf_counter() - started
    answer_rows = 0
    started = time.perf_counter()
    if answer_rollup:
        cols = [
            "organization_id",
            "touchpoint",
            "day",
            "survey_id",
            "question_id",
            "sub_key",
            "qtype",
            "cx_dimension",
            "channel",
            "unit",
            "segment_key",
            "value",
            "count",
            "wsum",
            "wsq",
        ]
        with transaction.atomic():
            for question, column in (("", None), ("nps", "nps"), ("csat", "csat"), ("ces", "ces")):
                values = np.zeros(n, dtype=np.int64) if column is None else data[column].astype(np.int64)
                keep = values >= 0
                key = (
                    (
                        (
                            (data["day"][keep].astype(np.int64) * T + data["tp"][keep]) * 3
                            + data["channel"][keep]
                        )
                        * 8
                        + data["store"][keep]
                    )
                    * 3
                    + data["tier"][keep]
                ) * 11 + values[keep]
                uniq, counts = np.unique(key, return_counts=True)
                answer_rows += len(uniq)

                def rows(uniq=uniq, counts=counts, question=question):
                    for k, c in zip(uniq.tolist(), counts.tolist(), strict=True):
                        k, value = divmod(k, 11)
                        k, tier = divmod(k, 3)
                        k, store = divmod(k, 8)
                        k, channel = divmod(k, 3)
                        d, t = divmod(k, T)
                        yield (
                            org.pk,
                            tp_keys[t],
                            day_dates[d],
                            survey.pk,
                            question,
                            "",
                            question or "response",
                            "",
                            CHANNELS[channel],
                            units[store],
                            f"tier={TIERS[tier]}",
                            value,
                            c,
                            float(c),
                            float(c),
                        )

                writer.write("insights_answercount", cols, rows())
    return {
        "cube_s": cube_s,
        "answer_rollup_s": time.perf_counter() - started,
        "cube_rows": len(cube_rows),
        "answer_rows": answer_rows,
    }


def db_bytes(home: Path) -> int:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    return sum(p.stat().st_size for p in home.glob("openxm.sqlite3*"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--touchpoints", type=int, default=40)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--home", help="directory for the SQLite database (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--no-answer-rollup", action="store_true", help="skip writing the per-answer rollup table"
    )
    parser.add_argument("--check-rebuild", action="store_true", help="also run the app's rebuild and compare")
    args = parser.parse_args()

    home = setup(args)
    from django.db import connection

    from openxm.accounts import services as accounts
    from openxm.insights import figures, journey_map, rollups
    from openxm.insights.models import MetricCube
    from openxm.insights.query import Filters
    from openxm.journeys import services as journeys
    from openxm.surveys import services as surveys

    vendor = connection.vendor
    say(f"database: {vendor} ({args.database_url or home})")
    org = accounts.bootstrap_organization("bench", "Benchmark")
    operator = accounts.operator_actor(org)
    units = [accounts.create_unit(operator, code, code, "store").pk for code in STORES]
    tp_keys = [f"tp.{i:02d}" for i in range(args.touchpoints)]
    stages = [
        {
            "key": f"s{s}",
            "name": f"Stage {s}",
            "touchpoints": [
                {"key": k, "name": k.upper(), "targets": {"nps": 30, "csat": 80, "ces": 5.5}}
                for k in tp_keys[s::5]
            ],
        }
        for s in range(5)
    ]
    journeys.import_journey(operator, {"key": "bench", "name": "Benchmark journey", "stages": stages})
    rollups.set_segment_attributes(org, ["tier"])
    survey = surveys.create_survey(
        operator,
        {
            "schema_version": 1,
            "key": "bench",
            "version": 1,
            "title": {"en": "Benchmark"},
            "languages": ["en"],
            "default_language": "en",
            "audience": "customer",
            "pages": [
                {
                    "id": "p",
                    "questions": [
                        {"id": "nps", "type": "nps", "text": {"en": "NPS"}},
                        {"id": "csat", "type": "csat", "text": {"en": "CSAT"}, "scale": {"min": 1, "max": 5}},
                        {"id": "ces", "type": "ces", "text": {"en": "CES"}, "scale": {"min": 1, "max": 7}},
                    ],
                }
            ],
        },
    )
    version = surveys.publish_survey(operator, survey.pk)

    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    first_day = yesterday - timedelta(days=args.days - 1)
    started = time.perf_counter()
    data = generate(args.responses, args.touchpoints, args.days)
    generate_s = time.perf_counter() - started
    say(f"generated {args.responses:,} responses in {generate_s:.1f} s")
    started = time.perf_counter()
    timings = load(data, org, survey, version, units, tp_keys, first_day, vendor)
    answers = int((data["csat"] >= 0).sum() + (data["ces"] >= 0).sum()) + args.responses
    load_s = time.perf_counter() - started
    say(
        f"loaded {args.responses:,} responses and {answers:,} answers in {load_s:.1f} s "
        f"(responses {timings['responses_s']:.0f} s, answers {timings['answers_s']:.0f} s, facts "
        f"{timings['facts_s']:.0f} s, indexes {timings['indexes_s']:.0f} s)"
    )
    started = time.perf_counter()
    built = build_rollups(data, org, survey, units, tp_keys, first_day, not args.no_answer_rollup)
    rollup_s = time.perf_counter() - started
    say(
        f"rollups: {built['cube_rows']:,} metric-cube rows in {built['cube_s']:.1f} s, "
        f"{built['answer_rows']:,} answer-rollup rows in {built['answer_rollup_s']:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    size = db_bytes(home)
    say(f"database size: {size / 2**20:,.0f} MiB")

    if args.check_rebuild:

        def snapshot():
            from openxm.insights.rollups import CUBE_SUMS

            cols = ["grain", "bucket", "segment_key", "touchpoint", *CUBE_SUMS]
            return sorted(MetricCube.objects.for_org(org).values_list(*cols))

        bulk = snapshot()
        started = time.perf_counter()
        rollups.rebuild(org)
        say(f"app rebuild: {time.perf_counter() - started:.1f} s; same metric cube: {snapshot() == bulk}")

    end = yesterday - timedelta(days=(yesterday.weekday() + 1) % 7)  # the last Sunday: 52 whole ISO weeks
    start = end - timedelta(days=7 * 52 - 1)
    f = Filters(start, end, journey="bench", attributes=(("tier", "gold"),))
    metric_names = ("nps", "csat", "ces")

    def rollup_query():
        return figures.trend_grids(org, f, metric_names, "w", touchpoints=tp_keys)

    started = time.perf_counter()
    grids = rollup_query()
    first_ms = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        grids = rollup_query()
        times.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    cells = sum(len(g.grid.n) for g in grids.values())
    say(
        f"journey-map query from rollups ({grids['nps'].source}): {cells} figures "
        f"({len(tp_keys)} touchpoints × {len(grids['nps'].buckets)} weeks × 3 metrics), "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, first run {first_ms:.1f} ms"
    )

    map_times = []
    for _ in range(max(3, args.repeat // 5)):
        started = time.perf_counter()
        journey_map.build(operator, "bench", f, "w", with_trends=False)
        map_times.append((time.perf_counter() - started) * 1000)
    map_ms = statistics.median(map_times)
    say(f"whole journey-map service (figures, trends tests, pain points, emotion line): p50 {map_ms:.0f} ms")

    started = time.perf_counter()
    raw = figures.trend_grids(org, f, metric_names, "w", touchpoints=tp_keys, source="raw")
    raw_ms = (time.perf_counter() - started) * 1000
    match = all(
        np.array_equal(grids[m].grid.n, raw[m].grid.n)
        and np.allclose(grids[m].grid.score, raw[m].grid.score, equal_nan=True)
        and np.allclose(grids[m].grid.ci_low, raw[m].grid.ci_low, equal_nan=True)
        for m in metric_names
    )
    speedup = raw_ms / p50
    say(
        f"same answer from the raw response tables: {raw_ms:,.0f} ms; identical figures: {match}; "
        f"rollups are {speedup:,.0f}x faster"
    )

    if not args.keep and not args.database_url and not args.home:
        connection.close()
        shutil.rmtree(home, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "dashboard",
                "database": vendor,
                "responses": args.responses,
                "answers": answers,
                "touchpoints": args.touchpoints,
                "days": args.days,
                "load_s": round(load_s, 1),
                "rollup_build_s": round(rollup_s, 1),
                "cube_rows": built["cube_rows"],
                "answer_rollup_rows": built["answer_rows"],
                "db_bytes": size,
                "figures": cells,
                "first_ms": round(first_ms, 2),
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "map_p50_ms": round(map_ms, 1),
                "raw_ms": round(raw_ms, 1),
                "speedup": round(speedup, 1),
                "identical": bool(match),
            }
        )
    )
    return 0 if match else 1


if __name__ == "__main__":
    sys.exit(main())
