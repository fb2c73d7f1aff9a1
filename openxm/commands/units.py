"""openxm units: list and export the organization's units (stores, regions, teams)."""

import sys

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser("units", help=_("List or export units (regions, stores, teams)"))
    sub = p.add_subparsers(dest="units_command", metavar="ACTION", required=True)
    lst = sub.add_parser("list", help=_("Print the units as a table"))
    add_actor_arguments(lst)
    django_command(lst, run_list)
    export = sub.add_parser("export", help=_("Write the units as CSV (audited as a data export)"))
    export.add_argument("--output", "-o", metavar="FILE", help=_("file to write (default: standard output)"))
    add_actor_arguments(export)
    django_command(export, run_export)


def run_list(args) -> int:
    from openxm.accounts import services

    for unit in services.list_units(actor_from_args(args)):
        print(f"{unit.code}\t{unit.name}\t{unit.kind}\t{unit.parent}")
    return 0


def run_export(args) -> int:
    from openxm.accounts import services
    from openxm.utils.csvsafe import write_csv

    header, rows = services.export_units(actor_from_args(args))
    text = write_csv(header, rows)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        print(_("wrote %(n)s units to %(file)s") % {"n": len(rows), "file": args.output}, file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
