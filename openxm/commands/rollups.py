"""openxm rollups: rebuild, check and compact the rollup tables; set the segment attributes."""

import sys
import time

from . import django_command


def register(subparsers):
    p = subparsers.add_parser(
        "rollups",
        help="Rebuild or check the rollups dashboards read (counts kept in step with every response)",
        description="Rollups are updated in the transaction that stores each response. Rebuild them after a "
        "restore, a bulk load that bypassed openxm, or a change of segment attributes.",
    )
    sub = p.add_subparsers(dest="rollups_command", metavar="ACTION", required=True)

    rebuild = sub.add_parser("rebuild", help="Recompute every rollup row from the responses")
    rebuild.add_argument("--org", metavar="SLUG", help="only this organization (default: every organization)")
    rebuild.add_argument(
        "--resegment",
        action="store_true",
        help="recompute segment keys from the contacts' current attributes",
    )
    django_command(rebuild, run_rebuild)

    verify = sub.add_parser(
        "verify", help="Compare the rollups with the response tables; exit 1 on a difference"
    )
    verify.add_argument("--org", metavar="SLUG", help="only this organization (default: every organization)")
    django_command(verify, run_verify)

    compact = sub.add_parser("compact", help="Delete rollup rows whose counts went back to zero")
    compact.add_argument("--org", metavar="SLUG")
    django_command(compact, run_compact)

    segments = sub.add_parser(
        "segments", help="Show or set the contact attributes responses are segmented by"
    )
    segments.add_argument("--org", metavar="SLUG", required=True)
    segments.add_argument(
        "--set", metavar="ATTR", nargs="*", help="attribute names (e.g. tier kind); re-segments"
    )
    django_command(segments, run_segments)


def _orgs(slug: str | None):
    from openxm.insights import rollups

    return rollups.organizations(slug)


def run_rebuild(args) -> int:
    from openxm.insights import rollups

    for org in _orgs(args.org):
        started = time.perf_counter()
        result = rollups.rebuild(org, resegment=args.resegment)
        print(
            f"{org.slug}: {result.responses} responses -> {result.answer_rows} answer rows, "
            f"{result.cube_rows} cube rows in {time.perf_counter() - started:.1f} s"
        )
    return 0


def run_verify(args) -> int:
    from openxm.insights import verify

    failed = False
    for org in _orgs(args.org):
        problems = verify.verify(org)
        if problems:
            failed = True
            for line in problems[:20]:
                print(f"{org.slug}: {line}", file=sys.stderr)
        else:
            print(f"{org.slug}: rollups match the responses")
    return 1 if failed else 0


def run_compact(args) -> int:
    from openxm.insights import rollups

    for org in _orgs(args.org):
        print(f"{org.slug}: {rollups.compact(org)} empty rows deleted")
    return 0


def run_segments(args) -> int:
    from openxm.insights import rollups

    org = _orgs(args.org)[0]
    if args.set is not None:
        result = rollups.set_segment_attributes(org, list(args.set))
        names = ", ".join(args.set) or "nothing"
        print(f"{org.slug}: segmented by {names}; {result.responses} responses re-segmented")
    else:
        print(" ".join(rollups.segment_attributes(org)) or "(none)")
    return 0
