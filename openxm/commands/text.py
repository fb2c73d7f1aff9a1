"""``openxm text``: text analytics on a CSV/TSV/XLSX file, without the database.

    openxm text classify --input FILE --text-col COL --output OUT.csv [--language auto|zh|en]
                         [--model DIR] [--taxonomy FILE] [--sentiment-model DIR]
    openxm text train --input FILE --text-col COL --label-col COL --output DIR
    openxm text adapt --input FILE --text-col COL --label-col COL --language zh|en --output DIR

``classify`` copies every input column and adds language, sentiment, sentiment_score, topics
(``;``-separated topic ids), flags (``kind:phrase``, ``;``-separated), redacted_text and
pii_kinds; with ``--model`` (a directory written by ``train``) also ``label``; with
``--sentiment-model`` (a directory written by ``adapt``) the comments in that model's language get
its ``sentiment`` and ``sentiment_score``. ``adapt`` learns an organisation's sentiment model from
labelled comments (positive/negative/neutral; see :mod:`openxm.text.adapt`), prints every
candidate's cross-validated macro-F1 with its interval and saves the chosen one. ``train`` cross-validates
the custom-classifier candidates (see :mod:`openxm.text.classifier`; the plain TF-IDF + LR
baseline is one of them), prints every candidate's macro-F1 and the chosen one's precision,
recall and F1 per label, and saves the chosen model. Input is read by :func:`openxm.readers.read_table`
(encoding and delimiter detected). Errors print one line ``openxm text: error: …`` on stderr and
exit with status 2. Messages follow the command line's language (:mod:`openxm.commands.i18n`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import i18n
from .i18n import gettext as _

__all__ = ["register", "main"]


class _Failure(Exception):
    """An expected failure, reported as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, i18n.error_line("openxm text", message) + "\n")


def register(subparsers) -> None:
    """Add ``text`` and its actions to the top-level ``add_subparsers()`` object."""
    text = subparsers.add_parser(
        "text", help=_("Sentiment, topics, flags and PII redaction on comment files; custom classifiers")
    )
    _add_actions(text)


def _add_actions(text: argparse.ArgumentParser) -> None:
    actions = text.add_subparsers(dest="text_command", metavar="ACTION", parser_class=_Parser)
    text.set_defaults(func=_no_action(text))
    classify = actions.add_parser(
        "classify", help=_("Analyse every comment of a file and write the results as CSV"),
        description=_("Copy the input columns and add language, sentiment, sentiment_score, topics, flags, "
                      "redacted_text and pii_kinds (and label with --model)."),
    )
    classify.add_argument("--input", required=True, metavar="FILE", help=_("CSV, TSV or XLSX file to read"))
    classify.add_argument("--text-col", required=True, metavar="COL", help=_("column holding the comment"))
    classify.add_argument("--output", required=True, metavar="OUT.csv", help=_("CSV file to write"))
    classify.add_argument("--language", choices=("auto", "zh", "en"), default="auto",
                          help=_("language of the comments (default: detect per comment)"))
    classify.add_argument("--model", metavar="DIR", help=_("custom classifier saved by 'openxm text train'"))
    classify.add_argument(
        "--taxonomy", metavar="FILE", help=_("topic taxonomy YAML/JSON (default: the shipped CX taxonomy)")
    )
    classify.add_argument(
        "--sentiment-model", metavar="DIR", help=_("adapted sentiment model saved by 'openxm text adapt'")
    )
    classify.set_defaults(func=run_classify)
    train = actions.add_parser(
        "train", help=_("Train a topic/intent classifier from labelled comments"),
        description=_("Fit a classifier, print cross-validated precision/recall/F1 per label, "
                      "save it to DIR."),
    )
    train.add_argument("--input", required=True, metavar="FILE", help=_("CSV, TSV or XLSX file to read"))
    train.add_argument("--text-col", required=True, metavar="COL", help=_("column holding the comment"))
    train.add_argument("--label-col", required=True, metavar="COL", help=_("column holding the label"))
    train.add_argument("--output", required=True, metavar="DIR", help=_("directory to save the model in"))
    train.add_argument("--folds", type=int, default=5, help=_("cross-validation folds (default 5)"))
    train.set_defaults(func=run_train)
    adapt = actions.add_parser(
        "adapt", help=_("Adapt the sentiment model to your comments from labelled examples"),
        description=_("Cross-validate the shipped model, in-domain TF-IDF + LR and the shipped model "
                      "combined with in-domain features on your labels (positive, negative, neutral); save "
                      "the best to DIR for 'openxm text classify --sentiment-model DIR'."),
    )
    adapt.add_argument("--input", required=True, metavar="FILE", help=_("CSV, TSV or XLSX file to read"))
    adapt.add_argument("--text-col", required=True, metavar="COL", help=_("column holding the comment"))
    adapt.add_argument("--label-col", required=True, metavar="COL",
                       help=_("column holding the label: positive, negative or neutral"))
    adapt.add_argument("--language", required=True, choices=("zh", "en"), help=_("language of the comments"))
    adapt.add_argument("--output", required=True, metavar="DIR", help=_("directory to save the model in"))
    adapt.add_argument("--folds", type=int, default=5, help=_("cross-validation folds (default 5)"))
    adapt.set_defaults(func=run_adapt)


def _no_action(parser: argparse.ArgumentParser):
    def run(args) -> int:
        parser.print_help(sys.stderr)
        return 2

    return run


def _fail(message: str) -> int:
    print(i18n.error_line("openxm text", message), file=sys.stderr)
    return 2


def _read(path: str, needed: list[str]) -> tuple[list[str], list[dict]]:
    from openxm.readers import ReadError, read_table

    try:
        table = read_table(path)
        rows = list(table)
    except ReadError as exc:
        raise _Failure(exc.message_in(_)) from exc
    columns = list(table.columns)
    for col in needed:
        if col not in columns:
            raise _Failure(
                _("%(file)s: no column %(column)r (columns: %(columns)s)")
                % {"file": path, "column": col, "columns": ", ".join(columns)}
            )
    return columns, rows


def run_classify(args) -> int:
    from openxm.text.adapt import AdaptedSentiment
    from openxm.text.classifier import TextClassifier
    from openxm.text.pipeline import analyze
    from openxm.text.topics import TaxonomyError, default_taxonomy, load_taxonomy

    try:
        taxonomy = load_taxonomy(args.taxonomy) if args.taxonomy else default_taxonomy()
        model = TextClassifier.load(args.model) if args.model else None
        adapted = AdaptedSentiment.load(args.sentiment_model) if args.sentiment_model else None
        columns, rows = _read(args.input, [args.text_col])
    except (_Failure, TaxonomyError, FileNotFoundError, ValueError) as exc:
        return _fail(str(exc))
    added = ["language", "sentiment", "sentiment_score", "topics", "flags", "redacted_text", "pii_kinds"]
    if model:
        added.append("label")
    clash = [c for c in added if c in columns]
    if clash:
        return _fail(
            _("%(file)s: input already has column(s) %(columns)s; rename them first")
            % {"file": args.input, "columns": ", ".join(clash)}
        )
    texts = ["" if row.get(args.text_col) is None else str(row[args.text_col]) for row in rows]
    labels = [p.label for p in model.predict(texts)] if model and texts else []
    results = [analyze(text, args.language, taxonomy) for text in texts]
    sentiments = [(r.sentiment, r.score) for r in results]
    if adapted is not None:  # the organisation's model for the comments in its language
        mine = [i for i, r in enumerate(results) if r.language == adapted.language]
        for i, verdict in zip(mine, adapted.predict([texts[i] for i in mine]), strict=True):
            sentiments[i] = verdict
    out_rows = []
    for i, (row, result) in enumerate(zip(rows, results, strict=True)):
        values = [row.get(c, "") for c in columns] + [
            result.language, *sentiments[i], ";".join(result.topic_ids),
            ";".join(f"{f.kind}:{f.phrase}" for f in result.flags), result.redacted_text,
            ";".join(result.pii_kinds),
        ]
        if model:
            values.append(labels[i])
        out_rows.append(values)
    try:
        _write_csv(Path(args.output), columns + added, out_rows)
    except OSError as exc:
        return _fail(f"{args.output}: {exc.strerror or exc}")
    print(_("wrote %(n)s rows to %(file)s") % {"n": len(out_rows), "file": args.output}, file=sys.stderr)
    return 0


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    from openxm.utils.csvsafe import write_csv

    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff")  # Excel opens UTF-8 Chinese text only with a BOM
        write_csv(header, rows, out=fh)
    tmp.replace(path)


def run_train(args) -> int:
    from openxm.text.classifier import train_classifier

    try:
        _columns, rows = _read(args.input, [args.text_col, args.label_col])
    except _Failure as exc:
        return _fail(str(exc))
    pairs = [
        (str(r[args.text_col]), str(r[args.label_col]).strip())
        for r in rows
        if str(r.get(args.text_col) or "").strip() and str(r.get(args.label_col) or "").strip()
    ]
    if args.folds < 2:
        return _fail(_("--folds must be at least 2"))
    try:
        model, report = train_classifier([p[0] for p in pairs], [p[1] for p in pairs], folds=args.folds)
    except ValueError as exc:
        return _fail(f"{args.input}: {exc}")
    if report is None:
        print(_("no cross-validation: too few examples per label; fitted the plain baseline"))
    else:
        width = max(len("label"), *(len(s.label) for s in report.labels))
        print(_("%(folds)s-fold cross-validation on %(n)s comments") % {"folds": report.folds, "n": report.n})
        print(f"{'label':<{width}}  precision  recall     f1  support")
        for s in report.labels:
            print(f"{s.label:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.f1:5.3f}  {s.support:7d}")
        print(f"{'macro':<{width}}  {'':9}  {'':6}  {report.macro_f1:5.3f}  {report.n:7d}")
        print(_("accuracy %(accuracy)s") % {"accuracy": f"{report.accuracy:.3f}"})
        if report.skipped_labels:
            skipped = ", ".join(report.skipped_labels)
            print(_("not cross-validated (one example): %(labels)s") % {"labels": skipped})
        print(_("candidates, cross-validated on the same folds:"))
        for c in report.candidates:
            mark = "  " + _("(chosen)") if c.name == report.chosen else ""
            print(f"  {c.name:<10} macro-F1 {c.macro_f1:.3f}  accuracy {c.accuracy:.3f}{mark}")
    try:
        model.save(args.output)
    except OSError as exc:
        return _fail(f"{args.output}: {exc.strerror or exc}")
    print(
        _("saved %(n)s-label classifier to %(dir)s") % {"n": len(model.labels), "dir": args.output},
        file=sys.stderr,
    )
    return 0


def run_adapt(args) -> int:
    from openxm.text.adapt import LABELS, adapt_sentiment

    if args.folds < 2:
        return _fail(_("--folds must be at least 2"))
    try:
        _columns, rows = _read(args.input, [args.text_col, args.label_col])
    except _Failure as exc:
        return _fail(str(exc))
    pairs = [
        (str(r[args.text_col]), str(r[args.label_col]).strip().lower())
        for r in rows
        if str(r.get(args.text_col) or "").strip() and str(r.get(args.label_col) or "").strip()
    ]
    bad = sorted({label for _text, label in pairs if label not in LABELS})
    if bad:
        return _fail(
            _("%(file)s: column %(column)r must hold positive, negative or neutral, not %(values)s")
            % {"file": args.input, "column": args.label_col, "values": ", ".join(map(repr, bad[:5]))}
        )
    try:
        model = adapt_sentiment([p[0] for p in pairs], [p[1] for p in pairs], args.language, folds=args.folds)
    except ValueError as exc:
        return _fail(f"{args.input}: {exc}")
    report = model.report
    counts = ", ".join(f"{label} {n}" for label, n in report.label_counts.items())
    print(_("%(folds)s-fold cross-validation on %(n)s labelled comments (%(counts)s)")
          % {"folds": report.folds, "n": report.n_labels, "counts": counts})
    print(_("candidates: cross-validated macro-F1 [95-percent interval]"))
    for c in report.candidates:
        mark = "  " + _("(chosen)") if c.name == report.chosen else ""
        print(f"  {c.name:<13} {c.macro_f1:.3f} [{c.low:.3f}, {c.high:.3f}]{mark}")
    if report.chosen == "shipped":
        print(_("no candidate beat the shipped model on your labels: it stays in use"))
    try:
        model.save(args.output)
    except OSError as exc:
        return _fail(f"{args.output}: {exc.strerror or exc}")
    saved = {"chosen": report.chosen, "dir": args.output}
    print(_("saved the %(chosen)s sentiment model to %(dir)s") % saved, file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``openxm text …`` standalone: ``main(["classify", "--input", …])``."""
    i18n.activate()
    parser = _Parser(
        prog="openxm text", description=_("Text analytics on a CSV/TSV/XLSX file, without the database.")
    )
    _add_actions(parser)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
