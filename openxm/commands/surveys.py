"""openxm surveys: validate, import and export survey definitions (surveys as code)."""

import sys
from pathlib import Path

from . import django_command, i18n
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _


def register(subparsers):
    p = subparsers.add_parser("surveys", help=_("Validate, import and export survey definitions (JSON/YAML)"))
    sub = p.add_subparsers(dest="surveys_command", metavar="ACTION", required=True)

    validate = sub.add_parser(
        "validate", help=_("Check a definition file; print every problem with its path")
    )
    validate.add_argument("file", metavar="FILE", help=_("survey definition (JSON or YAML)"))
    validate.add_argument(
        "--language",
        choices=["en", "zh-Hans"],
        default=None,
        help=_("language of the messages (default: the command line's language)"),
    )
    django_command(validate, run_validate)

    imp = sub.add_parser(
        "import",
        help=_("Create a survey from a file, or replace the draft of the survey with the file's key"),
    )
    imp.add_argument("file", metavar="FILE", help=_("survey definition (JSON or YAML)"))
    imp.add_argument(
        "--publish", action="store_true", help=_("publish the imported definition as a new version")
    )
    add_actor_arguments(imp)
    django_command(imp, run_import)

    export = sub.add_parser("export", help=_("Print a survey's definition"))
    export.add_argument("survey", metavar="ID", help=_("survey id or key"))
    export.add_argument("--format", choices=["json", "yaml"], default="json", help=_("output format"))
    export.add_argument("--version", type=int, help=_("a published version (default: the current one)"))
    export.add_argument("--draft", action="store_true", help=_("the draft being edited instead"))
    add_actor_arguments(export)
    django_command(export, run_export)

    lst = sub.add_parser("list", help=_("List the organization's surveys"))
    add_actor_arguments(lst)
    django_command(lst, run_list)


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


def _format_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "auto"


def run_validate(args) -> int:
    from django.utils import translation

    from openxm.surveys import services

    language = args.language or ("zh-Hans" if i18n.current() == i18n.CHINESE else "en")
    with translation.override("zh-hans" if language == "zh-Hans" else "en"):
        issues = services.validate_document(_read(args.file), _format_of(args.file))
        lang = services.ui_language()
        for issue in issues:
            print(f"{args.file}: {issue.render(lang)}", file=sys.stderr)
    if issues:
        return 1
    print(_("%(file)s: valid") % {"file": args.file})
    return 0


def run_import(args) -> int:
    from openxm.surveys import services

    survey, created = services.import_survey(
        actor_from_args(args), _read(args.file), _format_of(args.file), publish=args.publish
    )
    state = (
        _("version %(n)s") % {"n": survey.current_version.number} if survey.current_version_id else _("draft")
    )
    done = (
        _("created survey %(id)s '%(key)s' (%(state)s)")
        if created
        else _("updated survey %(id)s '%(key)s' (%(state)s)")
    )
    print(done % {"id": survey.id, "key": survey.key, "state": state})
    return 0


def run_export(args) -> int:
    from openxm.surveys import services

    sys.stdout.write(
        services.export_survey(
            actor_from_args(args), args.survey, args.format, number=args.version, draft=args.draft
        )
    )
    return 0


def run_list(args) -> int:
    from openxm.surveys import services

    for s in services.list_surveys(actor_from_args(args)):
        print(f"{s.id}\t{s.key}\t{s.status}\tv{s.version or '-'}\t{s.title}")
    return 0
