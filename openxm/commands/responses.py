"""openxm responses: import response files with a mapping, export responses, list imports."""

import sys
from pathlib import Path

from . import django_command
from .actors import actor_from_args, add_actor_arguments

FORMATS = ("csv", "xlsx", "sav", "parquet")


def register(subparsers):
    p = subparsers.add_parser("responses", help="Import responses from CSV/XLSX files; export responses")
    sub = p.add_subparsers(dest="responses_command", metavar="ACTION", required=True)

    imp = sub.add_parser(
        "import",
        help="Import a CSV/XLSX file of responses or text feedback with a column mapping",
        description=(
            "Check every row (the dry run) and, unless --dry-run, store them all in one transaction: "
            "all rows or none. Rejected rows are printed with their line, column and problem. "
            "Exit status 1 when a row was rejected or the import failed."
        ),
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--survey", metavar="ID", help="survey id or key (not needed with --feedback)")
    imp.add_argument(
        "--mapping", metavar="MAP.yaml", required=True, help="column and value mapping (YAML/JSON)"
    )
    imp.add_argument("--dry-run", action="store_true", help="check every row and report; store nothing")
    imp.add_argument("--feedback", action="store_true", help="the file holds text feedback (mode: feedback)")
    imp.add_argument("--encoding", help="text encoding (default: detected)")
    imp.add_argument("--delimiter", help="delimiter: , ; tab or | (default: detected)")
    imp.add_argument("--sheet", help="XLSX worksheet name (default: the first)")
    imp.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    add_actor_arguments(imp)
    django_command(imp, run_import)

    exp = sub.add_parser(
        "export",
        help="Export a survey's responses as CSV, XLSX, SPSS .sav or Parquet",
        description="The same columns and codebook in every format; filters narrow the rows.",
    )
    exp.add_argument("--survey", metavar="ID", required=True, help="survey id or key")
    exp.add_argument("--format", choices=FORMATS, default="csv")
    exp.add_argument("--output", "-o", metavar="FILE", required=True)
    exp.add_argument("--codebook", metavar="FILE", help="also write the codebook as CSV")
    exp.add_argument("--version", type=int, help="only responses to this version")
    exp.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="completed on or after")
    exp.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="completed on or before")
    for name in ("touchpoint", "channel", "language", "tag"):
        exp.add_argument(f"--{name}")
    exp.add_argument(
        "--contact",
        action="append",
        default=[],
        metavar="ATTR=VALUE",
        help="contact attribute (or id, email) equals value; repeatable",
    )
    exp.add_argument(
        "--answer",
        action="append",
        default=[],
        metavar="Q:OP:VALUE",
        help="answer condition, e.g. csat:lte:2 or improve:eq:price; repeatable",
    )
    add_actor_arguments(exp)
    django_command(exp, run_export)

    log = sub.add_parser("imports", help="The import log: recent imports with their counts and status")
    add_actor_arguments(log)
    django_command(log, run_imports)


class ProgressBar:
    """A one-line bar on a terminal; a line per 10 % step when stderr is a file or pipe."""

    def __init__(self, stream=None, width: int = 30):
        # Looked up at call time, not import time, so a replaced sys.stderr (tests, wrappers) is used.
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_step: tuple[str, int] | None = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if total:
            share = min(done / total, 1.0)
            filled = int(self.width * share)
            bar = "#" * filled + "-" * (self.width - filled)
            line = f"{phase:<9} [{bar}] {share * 100:3.0f}%  {done:,} / {total:,} rows"
            step = (phase, int(share * 10))
        else:
            line = f"{phase:<9} {done:,} rows"
            step = (phase, done // 100_000)
        if self.tty:
            self.stream.write("\r" + line.ljust(72))
            self.stream.flush()
        elif step != self.last_step:
            self.stream.write(line + "\n")
        self.last_step = step

    def end(self) -> None:
        if self.tty and self.last_step is not None:
            self.stream.write("\n")


def _load_mapping(path: str) -> dict:
    import yaml

    from openxm.cli import CommandError

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise CommandError(f"{path} is not valid YAML/JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: a mapping needs 'columns' (see docs/import-export.md)")
    return data


def run_import(args) -> int:
    from openxm.cli import CommandError
    from openxm.responses import importing

    mapping = _load_mapping(args.mapping)
    mode = "feedback" if args.feedback or mapping.get("mode") == "feedback" else "responses"
    survey = args.survey or mapping.get("survey")
    if mode == "responses" and not survey:
        raise CommandError("give --survey ID (or 'survey:' in the mapping)")
    if not Path(args.file).is_file():
        raise CommandError(f"no such file: {args.file}")
    actor = actor_from_args(args)
    job = importing.start_import(
        actor,
        args.file,
        Path(args.file).name,
        survey=survey,
        mode=mode,
        encoding=args.encoding,
        delimiter=args.delimiter,
        sheet=args.sheet,
    )
    where = job.encoding and f", {job.encoding}, delimiter {job.delimiter!r}" or f", sheet {job.sheet!r}"
    print(
        f"import {job.pk}: {job.file_name} ({job.format}{where}) → survey '{job.survey.key}'", file=sys.stderr
    )
    importing.save_mapping(actor, job.pk, {k: v for k, v in mapping.items() if k != "survey"})
    bar = ProgressBar() if not args.no_progress else (lambda *a: None)
    try:
        job = importing.request_run(actor, job.pk, commit=not args.dry_run, progress=bar)
    finally:
        if isinstance(bar, ProgressBar):
            bar.end()
    for note in job.notes:
        print(f"{args.file}: note: {note}", file=sys.stderr)
    if job.rows_rejected:
        for line, column, problem in importing.iter_rejections(actor, job.pk):
            print(f"{args.file}:{line}: {column}: {problem}", file=sys.stderr)
    print(
        f"{job.rows_read:,} rows read: {job.rows_accepted:,} accepted, {job.rows_rejected:,} rejected, "
        f"{job.rows_duplicate:,} already imported"
    )
    if job.status == job.Status.FAILED:
        raise CommandError(f"nothing was imported: {job.error}")
    if job.rows_rejected:
        print(
            "nothing was imported: fix the rejected rows (or the mapping) and run again"
            if not args.dry_run
            else "dry run: the rejected rows above would stop the import"
        )
        return 1
    if args.dry_run:
        print("dry run: nothing was stored; run again without --dry-run to import")
    else:
        print(f"imported {job.rows_imported:,} responses (import {job.pk})")
    return 0


def run_export(args) -> int:
    from openxm.cli import CommandError
    from openxm.responses import exporting
    from openxm.responses.filters import parse_filters
    from openxm.responses.writers import write_codebook_csv

    params: dict = {"survey": args.survey}
    for name, value in (
        ("version", args.version),
        ("from", args.date_from),
        ("to", args.date_to),
        ("touchpoint", args.touchpoint),
        ("channel", args.channel),
        ("language", args.language),
        ("tag", args.tag),
    ):
        if value not in (None, ""):
            params[name] = str(value)
    for item in args.contact:
        key, sep, value = item.partition("=")
        if not sep:
            raise CommandError(f"--contact needs ATTR=VALUE (got {item!r})")
        params.setdefault(f"contact.{key.strip()}", []).append(value)
    if args.answer:
        params["answer"] = list(args.answer)
    actor = actor_from_args(args)
    flt = parse_filters(params)
    bar = ProgressBar()
    rows = exporting.export_to_file(
        actor, flt, args.format, Path(args.output), progress=lambda done, total: bar("exporting", done, total)
    )
    bar.end()
    if args.codebook:
        _survey, codebook = exporting.export_codebook(actor, flt)
        write_codebook_csv(codebook, Path(args.codebook))
    print(f"wrote {rows:,} responses to {args.output}")
    return 0


def run_imports(args) -> int:
    from openxm.responses import importing

    for job in importing.list_jobs(actor_from_args(args)):
        print(
            f"{job.pk}\t{job.created_at:%Y-%m-%d %H:%M}\t{job.status}\t{job.survey.key}\t{job.file_name}\t"
            f"read {job.rows_read} rejected {job.rows_rejected} imported {job.rows_imported}\t"
            f"{job.actor_label}"
        )
    return 0
