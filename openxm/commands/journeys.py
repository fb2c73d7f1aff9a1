"""openxm journeys: journeys as code (import/export YAML or JSON) and operational-metric import."""

import sys
from pathlib import Path

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser(
        "journeys", help=_("Import and export journeys; import operational metrics (O-data)")
    )
    sub = p.add_subparsers(dest="journeys_command", metavar="ACTION", required=True)

    lst = sub.add_parser("list", help=_("List the organization's journeys"))
    add_actor_arguments(lst)
    django_command(lst, run_list)

    imp = sub.add_parser(
        "import",
        help=_("Create a journey from a YAML/JSON file, or make the journey with its key match the file"),
    )
    imp.add_argument("file", metavar="FILE", help=_("journey definition (YAML or JSON)"))
    add_actor_arguments(imp)
    django_command(imp, run_import)

    exp = sub.add_parser("export", help=_("Print a journey as YAML or JSON"))
    exp.add_argument("journey", metavar="KEY", help=_("the journey's key"))
    exp.add_argument("--format", choices=["yaml", "json"], default="yaml", help=_("output format"))
    add_actor_arguments(exp)
    django_command(exp, run_export)

    ops = sub.add_parser(
        "import-operational",
        help=_(
            "Import operational metrics from CSV/XLSX (touchpoint, metric, period or "
            "period_start/period_end, value or numerator/denominator)"
        ),
    )
    ops.add_argument("file", metavar="FILE", help=_("CSV or XLSX file"))
    add_actor_arguments(ops)
    django_command(ops, run_import_operational)


def _read(path: str) -> str:
    from openxm.cli import CommandError

    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(
            _("cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
        ) from None
    except UnicodeDecodeError:
        raise CommandError(_("%(file)s is not UTF-8 text") % {"file": path}) from None


def run_list(args) -> int:
    from openxm.journeys import services

    for row in services.list_journeys(actor_from_args(args)):
        print(f"{row.key}\t{row.name}\t{row.stage_count} stages\t{row.touchpoint_count} touchpoints")
    return 0


def run_import(args) -> int:
    from openxm.journeys import services

    view, created = services.import_journey(actor_from_args(args), services.parse_document(_read(args.file)))
    done = (
        _("journey %(key)s created: %(stages)s stages, %(touchpoints)s touchpoints")
        if created
        else _("journey %(key)s updated: %(stages)s stages, %(touchpoints)s touchpoints")
    )
    print(done % {"key": view.key, "stages": len(view.stages), "touchpoints": len(view.touchpoints)})
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
        raise CommandError(_("cannot read %(file)s: no such file") % {"file": args.file})
    count = operational.import_operational_file(actor_from_args(args), path, path.name)
    print(_("%(n)s operational metric rows imported") % {"n": count})
    return 0
