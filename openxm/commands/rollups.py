"""openxm rollups: rebuild, check and compact the rollup tables; set the segment attributes."""

import sys
import time

from . import django_command
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "rollups",
        help=_("Rebuild or check the rollups dashboards read (counts kept in step with every response)"),
        description=_(
            "Rollups are updated in the transaction that stores each response. Rebuild them after a "
            "restore, a bulk load that bypassed openxm, or a change of segment attributes."
        ),
    )
    sub = p.add_subparsers(dest="rollups_command", metavar="ACTION", required=True)

    rebuild = sub.add_parser("rebuild", help=_("Recompute every rollup row from the responses"))
    rebuild.add_argument(
        "--org", metavar="SLUG", help=_("only this organization (default: every organization)")
    )
    rebuild.add_argument(
        "--resegment",
        action="store_true",
        help=_("recompute segment keys from the contacts' current attributes"),
    )
    django_command(rebuild, run_rebuild)

    verify = sub.add_parser(
        "verify", help=_("Compare the rollups with the response tables; exit 1 on a difference")
    )
    verify.add_argument(
        "--org", metavar="SLUG", help=_("only this organization (default: every organization)")
    )
    django_command(verify, run_verify)

    compact = sub.add_parser("compact", help=_("Delete rollup rows whose counts went back to zero"))
    compact.add_argument(
        "--org", metavar="SLUG", help=_("only this organization (default: every organization)")
    )
    django_command(compact, run_compact)

    segments = sub.add_parser(
        "segments", help=_("Show or set the contact attributes responses are segmented by")
    )
    segments.add_argument("--org", metavar="SLUG", required=True, help=_("organization slug"))
    segments.add_argument(
        "--set", metavar="ATTR", nargs="*", help=_("attribute names (e.g. tier kind); re-segments")
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
            _(
                "%(org)s: %(responses)s responses -> %(answers)s answer rows, "
                "%(cubes)s cube rows in %(seconds)s s"
            )
            % {
                "org": org.slug,
                "responses": result.responses,
                "answers": result.answer_rows,
                "cubes": result.cube_rows,
                "seconds": f"{time.perf_counter() - started:.1f}",
            }
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
            print(_("%(org)s: rollups match the responses") % {"org": org.slug})
    return 1 if failed else 0


def run_compact(args) -> int:
    from openxm.insights import rollups

    for org in _orgs(args.org):
        print(_("%(org)s: %(n)s empty rows deleted") % {"org": org.slug, "n": rollups.compact(org)})
    return 0


def run_segments(args) -> int:
    from openxm.insights import rollups

    org = _orgs(args.org)[0]
    if args.set is not None:
        result = rollups.set_segment_attributes(org, list(args.set))
        names = ", ".join(args.set) or _("nothing")
        print(
            _("%(org)s: segmented by %(names)s; %(n)s responses re-segmented")
            % {"org": org.slug, "names": names, "n": result.responses}
        )
    else:
        print(" ".join(rollups.segment_attributes(org)) or _("(none)"))
    return 0
