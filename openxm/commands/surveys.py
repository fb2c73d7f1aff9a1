"""openxm surveys: validate, import and export survey definitions (surveys as code)."""

import sys
from pathlib import Path

from . import django_command
from .actors import actor_from_args, add_actor_arguments


def register(subparsers):
    p = subparsers.add_parser("surveys", help="Validate, import and export survey definitions (JSON/YAML)")
    sub = p.add_subparsers(dest="surveys_command", metavar="ACTION", required=True)

    validate = sub.add_parser("validate", help="Check a definition file; print every problem with its path")
    validate.add_argument("file", metavar="FILE")
    validate.add_argument(
        "--language", choices=["en", "zh-Hans"], default="en", help="language of the messages"
    )
    django_command(validate, run_validate)

    imp = sub.add_parser(
        "import", help="Create a survey from a file, or replace the draft of the survey with the file's key"
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument(
        "--publish", action="store_true", help="publish the imported definition as a new version"
    )
    add_actor_arguments(imp)
    django_command(imp, run_import)

    export = sub.add_parser("export", help="Print a survey's definition")
    export.add_argument("survey", metavar="ID", help="survey id or key")
    export.add_argument("--format", choices=["json", "yaml"], default="json")
    export.add_argument("--version", type=int, help="a published version (default: the current one)")
    export.add_argument("--draft", action="store_true", help="the draft being edited instead")
    add_actor_arguments(export)
    django_command(export, run_export)

    lst = sub.add_parser("list", help="List the organization's surveys")
    add_actor_arguments(lst)
    django_command(lst, run_list)


def _read(path: str) -> str:
    from openxm.cli import CommandError

    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None


def _format_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else "auto"


def run_validate(args) -> int:
    from django.utils import translation

    from openxm.surveys import services

    with translation.override("zh-hans" if args.language == "zh-Hans" else "en"):
        issues = services.validate_document(_read(args.file), _format_of(args.file))
        lang = services.ui_language()
        for issue in issues:
            print(f"{args.file}: {issue.render(lang)}", file=sys.stderr)
    if issues:
        return 1
    print(f"{args.file}: valid")
    return 0


def run_import(args) -> int:
    from openxm.surveys import services

    survey, created = services.import_survey(
        actor_from_args(args), _read(args.file), _format_of(args.file), publish=args.publish
    )
    state = f"version {survey.current_version.number}" if survey.current_version_id else "draft"
    print(f"{'created' if created else 'updated'} survey {survey.id} '{survey.key}' ({state})")
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
