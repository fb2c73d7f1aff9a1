"""openxm journeys: journeys as code (import/export YAML or JSON) and operational-metric import."""

import sys
from pathlib import Path

from . import django_command
from .actors import actor_from_args, add_actor_arguments


def register(subparsers):
    p = subparsers.add_parser(
        "journeys", help="Import and export journeys; import operational metrics (O-data)"
    )
    sub = p.add_subparsers(dest="journeys_command", metavar="ACTION", required=True)

    lst = sub.add_parser("list", help="List the organization's journeys")
    add_actor_arguments(lst)
    django_command(lst, run_list)

    imp = sub.add_parser(
        "import",
        help="Create a journey from a YAML/JSON file, or make the journey with its key match the file",
    )
    imp.add_argument("file", metavar="FILE")
    add_actor_arguments(imp)
    django_command(imp, run_import)

    exp = sub.add_parser("export", help="Print a journey as YAML or JSON")
    exp.add_argument("journey", metavar="KEY")
    exp.add_argument("--format", choices=["yaml", "json"], default="yaml")
    add_actor_arguments(exp)
    django_command(exp, run_export)

    ops = sub.add_parser(
        "import-operational",
        help="Import operational metrics from CSV/XLSX (touchpoint, metric, period or "
        "period_start/period_end, "
        "value or numerator/denominator)",
    )
    ops.add_argument("file", metavar="FILE")
    add_actor_arguments(ops)
    django_command(ops, run_import_operational)


def _read(path: str) -> str:
    from openxm.cli import CommandError

    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None


def run_list(args) -> int:
    from openxm.journeys import services

    for row in services.list_journeys(actor_from_args(args)):
        print(f"{row.key}\t{row.name}\t{row.stage_count} stages\t{row.touchpoint_count} touchpoints")
    return 0


def run_import(args) -> int:
    from openxm.journeys import services

    view, created = services.import_journey(actor_from_args(args), services.parse_document(_read(args.file)))
    verb = "created" if created else "updated"
    print(f"journey {view.key} {verb}: {len(view.stages)} stages, {len(view.touchpoints)} touchpoints")
    return 0


def run_export(args) -> int:
    from openxm.journeys import services

    sys.stdout.write(
        services.dump_document(services.export_journey(actor_from_args(args), args.journey), args.format)
    )
    return 0


def run_import_operational(args) -> int:
    from openxm.cli import CommandError
    from openxm.journeys import operational

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"cannot read {args.file}: no such file")
    count = operational.import_operational_file(actor_from_args(args), path, path.name)
    print(f"{count} operational metric rows imported")
    return 0
