"""Import benchmark: time and memory of importing a large CSV of survey responses, and the raw baseline.

    .venv/bin/python benchmarks/import_large.py [--rows 1000000] [--baseline-rows 100000]
                                                [--db sqlite|postgres] [--tracemalloc] [--keep DIR]

Writes a CSV shaped like a real export (labels as text, a matrix row, a multiple choice, Chinese
and English comments with some quoted multi-line cells, dates, contacts, stores), then imports
it into a fresh database (SQLite, or a PostgreSQL database created on ``--pg-url``) with the same
service the CLI and the web use (shared reader, mapping with value labels, streaming check of
every row, then the commit in chunks of ``import_run.COMMIT_ROWS`` rows, one transaction each).
Each import runs in its own process so its peak resident set (``resource.getrusage``) is its
own; ``--tracemalloc`` also reports the peak of Python allocations during the import (slower).
The text analytics of the comments (the commit hooks, and the wait at the end for the import's
worker pool) is timed apart: ``seconds_after_commit``.

Baselines measured in the same run: a raw INSERT of the same rows (the response and answer rows
the import stores for each line) into the same schema with the driver itself (``raw_insert.py``:
``executemany``, ``--raw-per-txn`` responses per transaction, default 100), in a fresh database,
with the ratio ``ratio_to_raw`` = (check + commit) rows/s / raw rows/s; the same import of
``--baseline-rows`` rows (bounded memory means the peak barely grows with 10x the rows; the time
per row should not grow either: ``ratio_time_per_row_large_to_baseline``); and
``pandas.read_csv`` of the large file (what loading it whole would cost). The last line printed
is JSON with every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
LABELS = ["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"]
COMMENTS = [
    "店员很热情，结账很快",
    "排队太久了，希望多开几个收银台",
    "Great selection, friendly staff",
    "Delivery was late again\nand the bag was torn",
    "价格有点贵，但是质量不错",
    "",
    "",
    "Parking is impossible on weekends",
]
MAPPING = {
    "columns": {
        "Customer": "contact.id",
        "Satisfaction": "csat",
        "Checkout": "parts.checkout",
        "Improve": "improve",
        "Comment": "comment",
        "Date": "date",
        "Store": "hidden.store",
    },
    "defaults": {"channel": "import"},
    "time_zone": "Asia/Shanghai",
}


PROGRESS_SECONDS = 15  # between the progress lines a child prints


def say(msg: str) -> None:
    print(msg, flush=True)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Customer", "Satisfaction", "Checkout", "Improve", "Comment", "Date", "Store"])
        for i in range(rows):
            score = rng.choices([1, 2, 3, 4, 5], weights=[5, 8, 15, 35, 37])[0]
            improve = ";".join(rng.sample(["price", "quality", "waiting", "staff"], rng.randint(1, 2)))
            writer.writerow(
                [
                    f"C-{i % 50_000:05d}",
                    LABELS[score - 1],
                    rng.randint(1, 5) if rng.random() < 0.7 else "",
                    improve if score <= 3 else "",
                    rng.choice(COMMENTS),
                    f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00",
                    rng.choice(["sh-jingan", "sh-xuhui", "bj-chaoyang"]),
                ]
            )


def _fresh(database_url: str | None):
    """A migrated database (a fresh SQLite file, or the given PostgreSQL database) with an
    organization and the published CSAT survey: (org, actor, survey)."""
    home = tempfile.mkdtemp(prefix="openxm-bench-")
    os.environ.update(
        OPENXM_HOME=home, OPENXM_SECRET_KEY="bench-" + "x" * 50, DJANGO_SETTINGS_MODULE="openxm.settings"
    )
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from openxm.accounts import services as accounts
    from openxm.surveys import services as surveys

    org = accounts.bootstrap_organization("bench", "Bench")
    actor = accounts.operator_actor(org)
    survey = surveys.create_from_template(actor, "transactional-csat")
    surveys.publish_survey(actor, survey.pk)
    survey.refresh_from_db()
    return org, actor, survey


def raw_child(path: str, database_url: str | None, per_txn: int) -> dict:
    """The raw baseline: the file's rows as response and answer rows, inserted with the driver.

    The rows are what the import stores for them (labels to scores, the matrix row, the
    multiple choice, the comment, the date in the mapping's time zone); reading and converting
    the file is not timed (``raw_insert.insert`` leaves out the time of its source)."""
    import zoneinfo
    from datetime import UTC, datetime

    org, _actor, survey = _fresh(database_url)
    import raw_insert
    from django.db import connection

    connection.close()
    zone = zoneinfo.ZoneInfo(MAPPING["time_zone"])
    score = {label: i + 1 for i, label in enumerate(LABELS)}
    org_id, survey_id, version_id = org.pk, survey.pk, survey.current_version_id

    def responses():
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            for line, (customer, satisfaction, checkout, improve, comment, day, store) in enumerate(
                reader, 2
            ):
                when = datetime.strptime(day, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone).astimezone(UTC)
                answers = {"csat": score[satisfaction]}
                rows = [(org_id, None, survey_id, "csat", "", "csat", score[satisfaction], "", "", None)]
                if checkout:
                    answers["parts"] = {"checkout": int(checkout)}
                    rows.append(
                        (org_id, None, survey_id, "parts", "checkout", "matrix", int(checkout), "", "", None)
                    )
                if improve:
                    choices = sorted(improve.split(";"))
                    answers["improve"] = choices
                    rows.append(
                        (
                            org_id,
                            None,
                            survey_id,
                            "improve",
                            "",
                            "multiple_choice",
                            None,
                            "",
                            "",
                            json.dumps(choices),
                        )
                    )
                if comment:
                    answers["comment"] = comment
                    rows.append((org_id, None, survey_id, "comment", "", "text", None, comment, "", None))
                rows.append((org_id, None, survey_id, "store", "", "hidden", None, store, "", None))
                values = (
                    org_id,
                    survey_id,
                    version_id,
                    f"raw:{line}",
                    "complete",
                    "import",
                    "purchase",
                    "en",
                    json.dumps(answers, ensure_ascii=False),
                    json.dumps({"store": store}),
                    json.dumps({"source": "import", "line": line, "customer": customer}),
                    1.0,
                    when,
                    when,
                    datetime.now(UTC),
                )
                yield values, [(*r, "purchase", "", when) for r in rows]

    return raw_insert.insert(responses(), per_txn)


def child(path: str, trace: bool, database_url: str | None = None) -> dict:
    """One import in a fresh database; returns its figures."""
    org, actor, survey = _fresh(database_url)
    from openxm.responses import importing
    from openxm.surveys.models import Response

    before = peak_rss_mib()
    if trace:
        import tracemalloc

        tracemalloc.start()
    phases: dict[str, float] = {}
    cpu_marks: dict[str, float] = {}  # this process's CPU time when each phase began
    started = time.perf_counter()

    shown = {"at": 0.0}

    def progress(phase: str, done: int, total: int | None) -> None:
        now = time.perf_counter()
        first = phase not in phases
        phases.setdefault(phase, now)
        cpu_marks.setdefault(phase, time.process_time())
        if first or now - shown["at"] >= PROGRESS_SECONDS:
            # On stderr, which the parent passes through: a long run shows where it is.
            shown["at"] = now
            elapsed = now - phases[phase]
            rate = f", {done / elapsed:,.0f} rows/s in this phase" if elapsed >= 1 else ""
            print(
                f"    [{time.strftime('%H:%M:%S')}] {phase} {done:,}/{total or 0:,} rows{rate}",
                file=sys.stderr,
                flush=True,
            )

    # Work that other apps run once a chunk of the import commits (text analytics: handed to the
    # import's worker pool, or inline) is timed apart from the import itself: the time inside the
    # commit hooks is summed, and the wait for the pool at the end is added.
    from django.db.backends.base.base import BaseDatabaseWrapper

    run_hooks = BaseDatabaseWrapper.run_and_clear_commit_hooks
    hooks = {"seconds": 0.0}

    hooks["cpu"] = 0.0

    def timed_hooks(self):
        mark, cpu_mark = time.perf_counter(), time.process_time()
        try:
            return run_hooks(self)
        finally:
            if phases:
                hooks["seconds"] += time.perf_counter() - mark
                hooks["cpu"] += time.process_time() - cpu_mark

    BaseDatabaseWrapper.run_and_clear_commit_hooks = timed_hooks

    job = importing.start_import(actor, path, Path(path).name, survey=survey.pk)
    importing.save_mapping(actor, job.pk, MAPPING)
    job = importing.request_run(actor, job.pk, commit=True, progress=progress)
    ended, cpu_ended = time.perf_counter(), time.process_time()
    traced = None
    if trace:
        import tracemalloc

        traced = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    check_start = phases.get("checking", started)
    commit_start = phases.get("importing", ended)
    # The text analytics still running in the import's worker pool when the last chunk committed.
    waited = ended - phases["analysing"] if "analysing" in phases else 0.0
    after = hooks["seconds"] + waited
    check_commit = ended - check_start - after
    cpu_check_commit = cpu_ended - cpu_marks.get("checking", cpu_ended) - hooks["cpu"]
    return {
        "status": job.status,
        "error": job.error,
        "rows_read": job.rows_read,
        "rows_imported": job.rows_imported,
        "stored": Response.objects.for_org(org).count(),
        "seconds_check": round(commit_start - check_start, 1),
        "seconds_commit": round(ended - commit_start - after, 1),
        "seconds_after_commit": round(after, 1),
        "seconds_total": round(ended - started, 1),
        "rows_per_second": round(job.rows_read / max(ended - started, 1e-9)),
        "rows_per_second_check_commit": round(job.rows_read / max(check_commit, 1e-9)),
        # CPU time of the importing process in check + commit, the inline text analytics left
        # out (its worker pool's processes are not counted): comparable under a shared machine's load.
        "cpu_seconds_check_commit": round(cpu_check_commit, 1),
        "rows_per_cpu_second_check_commit": round(job.rows_read / max(cpu_check_commit, 1e-9)),
        "rss_before_mib": round(before, 1),
        "rss_peak_mib": round(peak_rss_mib(), 1),
        "rss_growth_mib": round(peak_rss_mib() - before, 1),
        "tracemalloc_peak_mib": traced,
    }


def pandas_child(path: str) -> dict:
    import pandas as pd

    before = peak_rss_mib()
    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {
        "rows": len(frame),
        "seconds": round(time.perf_counter() - started, 1),
        "rss_peak_mib": round(peak_rss_mib(), 1),
        "rss_growth_mib": round(peak_rss_mib() - before, 1),
    }


@contextlib.contextmanager
def fresh_database(args):
    """Child arguments naming a new database: none for SQLite (each child makes its own file),
    a PostgreSQL database created for the child and dropped after it."""
    if args.db == "sqlite":
        yield []
        return
    import psycopg

    name = f"openxm_bench_import_{os.getpid()}"
    with psycopg.connect(args.pg_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ["--database-url", args.pg_url.rsplit("/", 1)[0] + "/" + name]
    finally:
        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=None,  # the child's progress lines and errors go straight to the terminal
        text=True,
        check=False,
        cwd=str(ROOT / "benchmarks"),
    )
    if out.returncode != 0:
        raise SystemExit(f"child {args} failed (its error is above)")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("OPENXM_TEST_DATABASE_URL", PG_DEFAULT).rsplit("/", 1)[0] + "/postgres",
        help="a PostgreSQL server to create the benchmark databases on (with --db postgres)",
    )
    parser.add_argument("--raw-per-txn", type=int, default=100, help="responses per raw INSERT transaction")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas.read_csv baseline")
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--raw-child", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--pandas-child", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.tracemalloc, args.database_url)))
        return
    if args.raw_child:
        print(json.dumps(raw_child(args.raw_child, args.database_url, args.raw_per_txn)))
        return
    if args.pandas_child:
        print(json.dumps(pandas_child(args.pandas_child)))
        return

    work = Path(args.keep or tempfile.mkdtemp(prefix="openxm-bench-files-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict = {"rows": args.rows, "baseline_rows": args.baseline_rows, "database": args.db}
    files = {}
    for label, rows in (("baseline", args.baseline_rows), ("large", args.rows)):
        path = work / f"responses-{rows}.csv"
        started = time.perf_counter()
        write_file(path, rows)
        files[label] = path
        size = path.stat().st_size / 2**20
        say(f"wrote {rows:,} rows ({size:.0f} MiB) in {time.perf_counter() - started:.0f} s")
        figures[f"{label}_file_mib"] = round(path.stat().st_size / 2**20, 1)
    trace = ["--tracemalloc"] if args.tracemalloc else []
    for label in ("baseline", "large"):
        say(f"importing {label} file …")
        with fresh_database(args) as url:
            result = run_child("--child", str(files[label]), *trace, *url)
        with fresh_database(args) as url:
            raw = run_child("--raw-child", str(files[label]), "--raw-per-txn", str(args.raw_per_txn), *url)
        result["raw_insert"] = raw
        result["ratio_to_raw"] = round(result["rows_per_second_check_commit"] / raw["per_s"], 3)
        result["ratio_to_raw_cpu"] = round(result["rows_per_cpu_second_check_commit"] / raw["per_cpu_s"], 3)
        figures[label] = result
        say(f"  {label}: {json.dumps(result)}")
        say(
            f"  {label}: check + commit {result['rows_per_second_check_commit']:,} rows/s; raw INSERT of "
            f"the same rows ({args.raw_per_txn} per transaction) {raw['per_s']:,.0f} rows/s "
            f"→ ratio {result['ratio_to_raw']}; per CPU second of the process "
            f"{result['rows_per_cpu_second_check_commit']:,} vs {raw['per_cpu_s']:,.0f} "
            f"→ {result['ratio_to_raw_cpu']}"
        )
    if not args.no_pandas:
        figures["pandas_read_csv"] = run_child("--pandas-child", str(files["large"]))
        say(f"  pandas.read_csv of the large file: {json.dumps(figures['pandas_read_csv'])}")

    large, base = figures["large"], figures["baseline"]
    growth_ratio = large["rss_growth_mib"] / max(base["rss_growth_mib"], 1.0)
    figures["ratio_rss_growth_large_to_baseline"] = round(growth_ratio, 2)
    per_row = base["rows_per_second_check_commit"] / max(large["rows_per_second_check_commit"], 1)
    figures["ratio_time_per_row_large_to_baseline"] = round(per_row, 3)
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    say("")
    say(
        f"{args.rows:,} rows: {large['status']}, {large['stored']:,} stored in {large['seconds_total']} s "
        f"(check {large['seconds_check']} s, commit {large['seconds_commit']} s, "
        f"text analytics and other after-commit work timed apart {large.get('seconds_after_commit', '?')} s; "
        f"{large['rows_per_second']:,} rows/s)"
    )
    say(
        f"peak RSS {large['rss_peak_mib']} MiB, growth during the import {large['rss_growth_mib']} MiB"
        + (f", tracemalloc peak {large['tracemalloc_peak_mib']} MiB" if large["tracemalloc_peak_mib"] else "")
    )
    say(
        f"baseline {args.baseline_rows:,} rows: growth {base['rss_growth_mib']} MiB → ratio "
        f"{growth_ratio:.2f} for {args.rows / args.baseline_rows:.0f}x the rows"
    )
    say(
        f"time per row (check + commit) at {args.rows:,} rows / at {args.baseline_rows:,} rows: "
        f"{per_row:.3f}; "
        f"ratio to the raw INSERT {base['ratio_to_raw']} and {large['ratio_to_raw']}"
    )
    if "pandas_read_csv" in figures:
        pandas_ratio = large["rss_growth_mib"] / max(figures["pandas_read_csv"]["rss_growth_mib"], 1.0)
        figures["ratio_rss_growth_import_to_pandas"] = round(pandas_ratio, 2)
        say(
            "pandas.read_csv of the large file alone grows RSS by "
            f"{figures['pandas_read_csv']['rss_growth_mib']} MiB "
            f"→ the import uses {pandas_ratio:.2f}x of that"
        )
    say(f"load average at the end (shared CPUs): {' '.join(str(x) for x in figures['load_average'])}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
