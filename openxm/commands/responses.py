"""openxm responses: import response files with a mapping, export responses, list imports."""

import sys
from pathlib import Path

from . import django_command
from .actors import actor_from_args, add_actor_arguments
from .i18n import gettext as _
from .i18n import gettext_noop

FORMATS = ("csv", "xlsx", "sav", "parquet")


def register(subparsers):
    p = subparsers.add_parser("responses", help=_("Import responses from CSV/XLSX files; export responses"))
    sub = p.add_subparsers(dest="responses_command", metavar="ACTION", required=True)

    imp = sub.add_parser(
        "import",
        help=_("Import a CSV/XLSX file of responses or text feedback with a column mapping"),
        description=_(
            "Check every row (the dry run) and, unless --dry-run, store them in chunks of 10,000 rows, "
            "each committed on its own (an interrupted import continues with resume-import); "
            "nothing is stored when a row is rejected. Rejected rows are printed with their line, "
            "column and problem. Exit status 1 when a row was rejected or the import failed."
        ),
    )
    imp.add_argument("file", metavar="FILE", help=_("CSV or XLSX file"))
    imp.add_argument("--survey", metavar="ID", help=_("survey id or key (not needed with --feedback)"))
    imp.add_argument(
        "--mapping", metavar="MAP.yaml", required=True, help=_("column and value mapping (YAML/JSON)")
    )
    imp.add_argument("--dry-run", action="store_true", help=_("check every row and report; store nothing"))
    imp.add_argument(
        "--feedback", action="store_true", help=_("the file holds text feedback (mode: feedback)")
    )
    imp.add_argument("--encoding", help=_("text encoding (default: detected)"))
    imp.add_argument("--delimiter", help=_("delimiter: , ; tab or | (default: detected)"))
    imp.add_argument("--sheet", help=_("XLSX worksheet name (default: the first)"))
    imp.add_argument("--no-progress", action="store_true", help=_("no progress bar on stderr"))
    add_actor_arguments(imp)
    django_command(imp, run_import)

    res = sub.add_parser(
        "resume-import",
        help=_("Continue an import whose process ended (a crash, a killed worker)"),
        description=_(
            "A commit continues after its last committed chunk; rows already stored are not stored "
            "again. A job counts as ended when it has not moved for 5 minutes."
        ),
    )
    res.add_argument("job", metavar="ID", type=int, help=_("the import's id (see: openxm responses imports)"))
    res.add_argument("--no-progress", action="store_true", help=_("no progress bar on stderr"))
    add_actor_arguments(res)
    django_command(res, run_resume)

    exp = sub.add_parser(
        "export",
        help=_("Export a survey's responses as CSV, XLSX, SPSS .sav or Parquet"),
        description=_("The same columns and codebook in every format; filters narrow the rows."),
    )
    exp.add_argument("--survey", metavar="ID", required=True, help=_("survey id or key"))
    exp.add_argument("--format", choices=FORMATS, default="csv", help=_("file format (default: csv)"))
    exp.add_argument("--output", "-o", metavar="FILE", required=True, help=_("file to write"))
    exp.add_argument("--codebook", metavar="FILE", help=_("also write the codebook as CSV"))
    exp.add_argument("--version", type=int, help=_("only responses to this version"))
    exp.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help=_("completed on or after"))
    exp.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help=_("completed on or before"))
    exp.add_argument("--touchpoint", help=_("only responses about this touchpoint"))
    exp.add_argument("--channel", help=_("only responses from this channel"))
    exp.add_argument("--language", help=_("only responses in this language"))
    exp.add_argument("--unit", metavar="CODE", help=_("only responses of this unit and the units below it"))
    exp.add_argument("--tag", help=_("only responses with this tag"))
    exp.add_argument(
        "--contact",
        action="append",
        default=[],
        metavar="ATTR=VALUE",
        help=_("contact attribute (or id, email) equals value; repeatable"),
    )
    exp.add_argument(
        "--answer",
        action="append",
        default=[],
        metavar="Q:OP:VALUE",
        help=_("answer condition, e.g. csat:lte:2 or improve:eq:price; repeatable"),
    )
    add_actor_arguments(exp)
    django_command(exp, run_export)

    log = sub.add_parser("imports", help=_("The import log: recent imports with their counts and status"))
    add_actor_arguments(log)
    django_command(log, run_imports)


# The phases the import and export report, translated where the bar shows them.
PHASES = {
    "checking": gettext_noop("checking"),
    "importing": gettext_noop("importing"),
    "analysing": gettext_noop("analysing comments"),
    "exporting": gettext_noop("exporting"),
}


class ProgressBar:
    """A one-line bar on a terminal; a line per 10 % step when stderr is a file or pipe."""

    def __init__(self, stream=None, width: int = 30):
        # Looked up at call time, not import time, so a replaced sys.stderr (tests, wrappers) is used.
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_step: tuple[str, int] | None = None
        self.phase_start: tuple[str, float, int] | None = None  # (phase, when, rows done then)

    def _speed(self, phase: str, done: int, total: int | None) -> str:
        """'  1,234 rows/s, 2:05 left' once the phase has run a second."""
        import time

        now = time.monotonic()
        if self.phase_start is None or self.phase_start[0] != phase:
            self.phase_start = (phase, now, done)
        elapsed = now - self.phase_start[1]
        if elapsed < 1 or done <= self.phase_start[2]:
            return ""
        rate = (done - self.phase_start[2]) / elapsed
        text = "  " + _("%(rate)s rows/s") % {"rate": f"{rate:,.0f}"}
        if total and total > done:
            minutes, seconds = divmod(round((total - done) / rate), 60)
            text += ", " + _("%(left)s left") % {"left": f"{minutes}:{seconds:02d}"}
        return text

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        speed = self._speed(phase, done, total)
        if total:
            share = min(done / total, 1.0)
            filled = int(self.width * share)
            bar = "#" * filled + "-" * (self.width - filled)
            rows = _("%(done)s / %(total)s rows") % {"done": f"{done:,}", "total": f"{total:,}"}
            line = f"{_label(phase)} [{bar}] {share * 100:3.0f}%  {rows}{speed}"
            step = (phase, int(share * 10))
        else:
            line = f"{_label(phase)} " + _("%(done)s rows") % {"done": f"{done:,}"} + speed
            step = (phase, done // 100_000)
        if self.tty:
            self.stream.write("\r" + line.ljust(96))
            self.stream.flush()
        elif step != self.last_step:
            self.stream.write(line + "\n")
        self.last_step = step

    def end(self) -> None:
        if self.tty and self.last_step is not None:
            self.stream.write("\n")


def _label(phase: str) -> str:
    """The phase's name, translated and padded to a column (Chinese characters are two wide)."""
    import unicodedata

    label = _(PHASES[phase]) if phase in PHASES else phase
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)
    return label + " " * max(9 - width, 0)


def _load_mapping(path: str) -> dict:
    import yaml

    from openxm.cli import CommandError

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise CommandError(
            _("cannot read %(file)s: %(error)s") % {"file": path, "error": exc.strerror}
        ) from None
    except yaml.YAMLError as exc:
        raise CommandError(
            _("%(file)s is not valid YAML/JSON: %(error)s") % {"file": path, "error": exc}
        ) from None
    if not isinstance(data, dict):
        raise CommandError(
            _("%(file)s: a mapping needs 'columns' (see docs/import-export.md)") % {"file": path}
        )
    return data


def run_import(args) -> int:
    from openxm.cli import CommandError
    from openxm.responses import importing

    mapping = _load_mapping(args.mapping)
    mode = "feedback" if args.feedback or mapping.get("mode") == "feedback" else "responses"
    survey = args.survey or mapping.get("survey")
    if mode == "responses" and not survey:
        raise CommandError(_("--survey: give --survey ID (or 'survey:' in the mapping)"))
    if not Path(args.file).is_file():
        raise CommandError(_("no such file: %(file)s") % {"file": args.file})
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
    where = (
        job.encoding
        and _(", %(encoding)s, delimiter %(delimiter)r")
        % {"encoding": job.encoding, "delimiter": job.delimiter}
        or _(", sheet %(sheet)r") % {"sheet": job.sheet}
    )
    print(
        _("import %(id)s: %(file)s (%(format)s%(where)s) → survey '%(survey)s'")
        % {
            "id": job.pk,
            "file": job.file_name,
            "format": job.format,
            "where": where,
            "survey": job.survey.key,
        },
        file=sys.stderr,
    )
    importing.save_mapping(actor, job.pk, {k: v for k, v in mapping.items() if k != "survey"})
    job = _with_bar(
        args, lambda bar: importing.request_run(actor, job.pk, commit=not args.dry_run, progress=bar)
    )
    return _report(args, actor, job)


def _with_bar(args, run):
    bar = ProgressBar() if not args.no_progress else (lambda *a: None)
    try:
        return run(bar)
    finally:
        if isinstance(bar, ProgressBar):
            bar.end()


def run_resume(args) -> int:
    from openxm.responses import importing

    actor = actor_from_args(args)
    job = _with_bar(args, lambda bar: importing.resume_import(actor, args.job, progress=bar))
    args.file, args.dry_run = job.file_name, False
    return _report(args, actor, job)


def _report(args, actor, job) -> int:
    """Print the outcome of an import run; the exit status."""
    from openxm.cli import CommandError
    from openxm.responses import importing

    for note in job.notes:
        print(_("%(file)s: note: %(note)s") % {"file": args.file, "note": note}, file=sys.stderr)
    if job.rows_rejected:
        for line, column, problem in importing.iter_rejections(actor, job.pk):
            print(f"{args.file}:{line}: {column}: {problem}", file=sys.stderr)
    print(
        _("%(read)s rows read: %(accepted)s accepted, %(rejected)s rejected, %(duplicate)s already imported")
        % {
            "read": f"{job.rows_read:,}",
            "accepted": f"{job.rows_accepted:,}",
            "rejected": f"{job.rows_rejected:,}",
            "duplicate": f"{job.rows_duplicate:,}",
        }
    )
    if job.status == job.Status.FAILED:
        if job.rows_committed:
            raise CommandError(
                _("the import stopped after %(n)s rows: %(error)s; import the file again to store the rest")
                % {"n": f"{job.rows_committed:,}", "error": job.error}
            )
        raise CommandError(_("nothing was imported: %(error)s") % {"error": job.error})
    if job.rows_rejected:
        print(
            _("nothing was imported: fix the rejected rows (or the mapping) and run again")
            if not args.dry_run
            else _("dry run: the rejected rows above would stop the import")
        )
        return 1
    if args.dry_run:
        print(_("dry run: nothing was stored; run again without --dry-run to import"))
    else:
        print(_("imported %(n)s responses (import %(id)s)") % {"n": f"{job.rows_imported:,}", "id": job.pk})
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
        ("unit", args.unit),
        ("tag", args.tag),
    ):
        if value not in (None, ""):
            params[name] = str(value)
    for item in args.contact:
        key, sep, value = item.partition("=")
        if not sep:
            raise CommandError(_("--contact needs ATTR=VALUE (got %(value)r)") % {"value": item})
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
    print(_("wrote %(n)s responses to %(file)s") % {"n": f"{rows:,}", "file": args.output})
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
