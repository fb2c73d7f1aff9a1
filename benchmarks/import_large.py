"""Import benchmark: memory and time of importing a large CSV of survey responses.

    .venv/bin/python benchmarks/import_large.py [--rows 1000000] [--baseline-rows 100000]
                                                [--tracemalloc] [--keep DIR]

Writes a CSV shaped like a real export (labels as text, a matrix row, a multiple choice, Chinese
and English comments with some quoted multi-line cells, dates, contacts, stores), then imports
it into a fresh SQLite database with the same service the CLI and the web use (shared reader,
mapping with value labels, streaming check of every row, then one transaction of
``collect.record_batch`` chunks). Each import runs in its own process so its peak resident set
(``resource.getrusage``) is its own; ``--tracemalloc`` also reports the peak of Python
allocations during the import (slower).

Baselines measured in the same run: the same import of ``--baseline-rows`` rows (bounded memory
means the peak barely grows with 10x the rows), and ``pandas.read_csv`` of the large file (what
loading it whole would cost). The last line printed is JSON with every figure.
"""

from __future__ import annotations

import argparse
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


def child(path: str, trace: bool) -> dict:
    """One import in a fresh database; returns its figures."""
    home = tempfile.mkdtemp(prefix="openxm-bench-")
    os.environ.update(
        OPENXM_HOME=home, OPENXM_SECRET_KEY="bench-" + "x" * 50, DJANGO_SETTINGS_MODULE="openxm.settings"
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from openxm.accounts import services as accounts
    from openxm.responses import importing
    from openxm.surveys import services as surveys
    from openxm.surveys.models import Response

    org = accounts.bootstrap_organization("bench", "Bench")
    actor = accounts.operator_actor(org)
    survey = surveys.create_from_template(actor, "transactional-csat")
    surveys.publish_survey(actor, survey.pk)
    before = peak_rss_mib()
    if trace:
        import tracemalloc

        tracemalloc.start()
    phases: dict[str, float] = {}
    started = time.perf_counter()

    def progress(phase: str, done: int, total: int | None) -> None:
        phases.setdefault(phase, time.perf_counter())

    # Work that other apps run once the import commits (text analytics, inline without a broker)
    # is timed apart from the import itself.
    from django.db.backends.base.base import BaseDatabaseWrapper

    run_hooks = BaseDatabaseWrapper.run_and_clear_commit_hooks

    def timed_hooks(self):
        if self.run_on_commit:
            phases.setdefault("after_commit", time.perf_counter())
        return run_hooks(self)

    BaseDatabaseWrapper.run_and_clear_commit_hooks = timed_hooks

    job = importing.start_import(actor, path, Path(path).name, survey=survey.pk)
    importing.save_mapping(actor, job.pk, MAPPING)
    job = importing.request_run(actor, job.pk, commit=True, progress=progress)
    ended = time.perf_counter()
    traced = None
    if trace:
        import tracemalloc

        traced = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    check_start = phases.get("checking", started)
    commit_start = phases.get("importing", ended)
    hooks_start = phases.get("after_commit", ended)
    return {
        "status": job.status,
        "error": job.error,
        "rows_read": job.rows_read,
        "rows_imported": job.rows_imported,
        "stored": Response.objects.for_org(org).count(),
        "seconds_check": round(commit_start - check_start, 1),
        "seconds_commit": round(hooks_start - commit_start, 1),
        "seconds_after_commit": round(ended - hooks_start, 1),
        "seconds_total": round(ended - started, 1),
        "rows_per_second": round(job.rows_read / max(ended - started, 1e-9)),
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


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--pandas-child", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.tracemalloc)))
        return
    if args.pandas_child:
        print(json.dumps(pandas_child(args.pandas_child)))
        return

    work = Path(args.keep or tempfile.mkdtemp(prefix="openxm-bench-files-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict = {"rows": args.rows, "baseline_rows": args.baseline_rows}
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
        result = run_child("--child", str(files[label]), *trace)
        figures[label] = result
        say(f"  {label}: {json.dumps(result)}")
    figures["pandas_read_csv"] = run_child("--pandas-child", str(files["large"]))
    say(f"  pandas.read_csv of the large file: {json.dumps(figures['pandas_read_csv'])}")

    large, base = figures["large"], figures["baseline"]
    growth_ratio = large["rss_growth_mib"] / max(base["rss_growth_mib"], 1.0)
    pandas_ratio = large["rss_growth_mib"] / max(figures["pandas_read_csv"]["rss_growth_mib"], 1.0)
    figures["ratio_rss_growth_large_to_baseline"] = round(growth_ratio, 2)
    figures["ratio_rss_growth_import_to_pandas"] = round(pandas_ratio, 2)
    say("")
    say(
        f"{args.rows:,} rows: {large['status']}, {large['stored']:,} stored in {large['seconds_total']} s "
        f"(check {large['seconds_check']} s, commit {large['seconds_commit']} s, "
        f"after-commit work of other apps {large.get('seconds_after_commit', '?')} s; "
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
        "pandas.read_csv of the large file alone grows RSS by "
        f"{figures['pandas_read_csv']['rss_growth_mib']} MiB "
        f"→ the import uses {pandas_ratio:.2f}x of that"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
