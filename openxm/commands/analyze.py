"""``openxm analyze``: CX statistics on a CSV/TSV/XLSX file, without a database.

A thin adapter: it reads the file with :func:`openxm.readers.read_table`, checks every value
while naming the file line it came from, and calls one function of :mod:`openxm.analytics`.
Columns are named by header or as ``#N`` (N-th column from 1), which long or comma-laden
headers need. Output is a readable table, or JSON with ``--json``. A wrong argument or a bad
file prints one line, ``openxm analyze: error: …``, on stderr and exits with 2.

Run without Django: ``main(argv)`` builds a parser holding only ``analyze``. Messages follow
the command line's language (:mod:`openxm.commands.i18n`); tables' figures and ``--json`` do not.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openxm.analytics import drivers as drivers_mod
from openxm.analytics.ipa import ipa
from openxm.analytics.kano import TABLES, analyze_feature
from openxm.analytics.kano_answers import AnswerReader
from openxm.analytics.metrics import SPECS, score
from openxm.analytics.servqual import ServqualItem, servqual
from openxm.analytics.values import Scale, to_number, to_point
from openxm.readers import ReadError, Table, read_table

from . import i18n
from .i18n import gettext as _

PROG = "openxm analyze"


class UsageError(Exception):
    """Bad arguments or data: printed as one line, exit status 2."""


# ---------------------------------------------------------------------------- parsers


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        self.exit(2, i18n.usage_error_line(self.prog, message) + "\n")


def _file_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help=_("CSV, TSV, TXT or XLSX file with a header row"))
    parser.add_argument("--sheet", help=_("XLSX sheet name, or #N for the N-th sheet (default: the first)"))
    parser.add_argument(
        "--encoding", help=_("text encoding (default: detected: UTF-8, GB18030, CP949, CP1252…)")
    )
    parser.add_argument("--delimiter", help=_("field delimiter: , ; | or tab (default: detected)"))
    parser.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))


def register(subparsers: Any) -> None:
    """Add ``analyze`` and its methods to the top-level ``openxm`` subparsers."""
    analyze = subparsers.add_parser(
        "analyze",
        help=_("KANO, SERVQUAL, key drivers, IPA, NPS/CSAT/CES, RFM and CLV on a CSV or XLSX file"),
        description=_("Analyse survey answers in a CSV/TSV/XLSX file. Columns are given by header "
                      "or as #N (the N-th column, from 1). See docs/cli-analyze.md."),
    )
    methods = analyze.add_subparsers(dest="method", metavar="METHOD", required=True)

    kano = methods.add_parser("kano", help=_("KANO categories, Better/Worse per feature"))
    _file_arguments(kano)
    kano.add_argument("--feature", action="append", required=True, metavar="NAME=FUNCTIONAL,DYSFUNCTIONAL",
                      help=_("a feature and its functional and dysfunctional answer columns (repeat)"))
    kano.add_argument("--importance", action="append", default=[], metavar="NAME=COLUMN",
                      help=_("a feature's self-stated importance column (repeat)"))
    kano.add_argument("--table", choices=sorted(TABLES), default="berger", help=_("evaluation table"))
    kano.add_argument("--answers", metavar="MAP", help=_("YAML or JSON file mapping other answer labels "
                             "to like, must-be, neutral, live-with, dislike (or 1–5)"))
    kano.add_argument("--tolerance", type=float, default=5.0, metavar="POINTS",
                      help=_("M>O>A>I rule tolerance in percentage points (default 5)"))
    kano.set_defaults(func=run_kano)

    sq = methods.add_parser("servqual", help=_("SERVQUAL gaps per item and dimension"))
    _file_arguments(sq)
    sq.add_argument("--item", action="append", required=True, metavar="NAME=EXPECTATION,PERCEPTION,DIMENSION",
                    help=_("an item, its 1–7 expectation and perception columns and its dimension (repeat)"))
    sq.add_argument("--weight", action="append", default=[], metavar="DIMENSION=POINTS",
                    help=_("fixed importance points of a dimension, 100 in all (repeat)"))
    sq.add_argument("--importance", action="append", default=[], metavar="DIMENSION=COLUMN",
                    help=_("column of each respondent's importance points for a dimension (repeat)"))
    sq.set_defaults(func=run_servqual)

    dr = methods.add_parser("drivers", help=_("key driver analysis (relative weights or Shapley)"))
    _file_arguments(dr)
    dr.add_argument("--outcome", required=True, metavar="COLUMN",
                    help=_("outcome, e.g. overall satisfaction"))
    dr.add_argument("--driver", action="append", required=True, metavar="COLUMN", help=_("a driver (repeat)"))
    dr.add_argument("--method", dest="driver_method", choices=drivers_mod.METHODS, default="relative-weights",
                    help=_("how importance is split (default: %(default)s)"))
    dr.add_argument("--bootstrap", type=int, default=0, metavar="N",
                    help=_("bootstrap resamples for intervals"))
    dr.add_argument("--seed", type=int, default=0, help=_("bootstrap seed (default 0)"))
    dr.set_defaults(func=run_drivers)

    ip = methods.add_parser("ipa", help=_("importance–performance analysis"))
    _file_arguments(ip)
    ip.add_argument("--attribute", action="append", required=True, metavar="NAME=PERFORMANCE[,IMPORTANCE]",
                    help=_("an attribute's performance column and, for stated importance, its "
                           "importance one"))
    ip.add_argument("--outcome", metavar="COLUMN", help=_("overall rating column for derived importance"))
    ip.add_argument("--crosshair", metavar="IMPORTANCE,PERFORMANCE",
                    help=_("fixed crosshair (default: means)"))
    ip.set_defaults(func=run_ipa)

    for name, label in (("nps", "NPS (0–10)"), ("csat", "CSAT (1–5)"), ("ces", "CES (1–7)")):
        metric = methods.add_parser(
            name, help=_("%(metric)s with interval and answer counts") % {"metric": label})
        _file_arguments(metric)
        metric.add_argument("--column", required=True, metavar="COLUMN", help=_("answer column"))
        metric.add_argument("--by", metavar="COLUMN", help=_("one result per value of this column"))
        metric.add_argument("--weight", metavar="COLUMN",
                            help=_("respondent weight column (blank = left out)"))
        metric.add_argument("--min-n", type=int, metavar="N", help=_("suppress groups with fewer answers"))
        metric.set_defaults(func=run_metric, metric=name)

    from . import analyze_value  # rfm and clv: imported here, as it builds on this module's helpers

    analyze_value.register(methods)


def build_parser() -> argparse.ArgumentParser:
    i18n.activate()
    parser = _Parser(prog="openxm", description=_("openxm analyze, standalone"))
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``openxm analyze …`` (``argv`` starts with "analyze") and return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    return int(args.func(args))


# ---------------------------------------------------------------------------- helpers


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def wrapper(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except ReadError as error:
            print(i18n.error_line(PROG, error.message_in(_)), file=sys.stderr)
            return 2
        except (UsageError, ValueError) as error:
            print(i18n.error_line(PROG, error), file=sys.stderr)
            return 2
        except BrokenPipeError:
            # Output piped into `head`: stop quietly, and keep Python's exit-time flush quiet too.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1

    wrapper.__name__ = run.__name__
    wrapper.__doc__ = run.__doc__
    return wrapper


def _open(args: argparse.Namespace) -> Table:
    sheet: str | int | None = args.sheet
    # "#2" is the second sheet, like "#2" for columns; a bare "2024" stays a sheet name.
    if sheet is not None and sheet.startswith("#") and sheet[1:].isdigit():
        sheet = int(sheet[1:]) - 1
    return read_table(args.file, encoding=args.encoding, delimiter=args.delimiter, sheet=sheet)


def _weight(value: Any) -> float:
    """A respondent weight; a blank weight leaves the respondent out (weight 0)."""
    number = to_number(value, what="weight")
    if number is None:
        return 0.0
    if number < 0:
        raise ValueError(_("weight %(value)r is negative") % {"value": value})
    return number


def _spec(
    option: str, value: str, parts: int, shape: str, *, optional_last: bool = False
) -> tuple[str, list[str]]:
    name, sep, rest = value.partition("=")
    fields = [f.strip() for f in rest.split(",")] if sep else []
    wanted = {parts, parts - 1} if optional_last else {parts}
    if not name.strip() or len(fields) not in wanted or not all(fields):
        raise UsageError(_("%(option)s %(value)r: expected %(shape)s")
                         % {"option": option, "value": value, "shape": shape})
    return name.strip(), fields


def _unique(option: str, specs: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    names = [name for name, _c in specs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise UsageError(
            _("%(option)s %(name)r is given twice; names must differ")
            % {"option": option, "name": repeated[0]}
        )
    return specs


def _columns(table: Table, refs: dict[str, str]) -> dict[str, list[tuple[int, Any]]]:
    """(line, value) per row for each key of ``refs`` (key → column reference)."""
    resolved = {key: table.resolve(ref) for key, ref in refs.items()}
    out: dict[str, list[tuple[int, Any]]] = {key: [] for key in refs}
    for line, row in table.rows_with_lines():
        for key, column in resolved.items():
            out[key].append((line, row[column]))
    return out


def _checked(
    table: Table, column: str, cells: list[tuple[int, Any]], convert: Callable[[Any], Any]
) -> list[Any]:
    values = []
    for line, value in cells:
        try:
            values.append(convert(value))
        except ValueError as error:
            raise ReadError(
                table.name, _("column %(column)r: %(error)s") % {"column": column, "error": error}, line=line
            ) from None
    return values


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [
        [c if isinstance(c, str) else _fmt(c) for c in row] for row in rows
    ]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_looks_numeric(row[i]) for row in cells[1:]) for i in range(len(headers))]
    for index, row in enumerate(cells):
        parts = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            parts.append(pad + cell if numeric[i] and index else cell + pad)
        print("  ".join(parts).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def _looks_numeric(text: str) -> bool:
    return text == "–" or text.lstrip("-").replace(".", "", 1).isdigit()


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _short(name: str, limit: int = 40) -> str:
    return name if _width(name) <= limit else name[: limit - 1] + "…"


# ---------------------------------------------------------------------------- commands


def _load_answer_map(path: str) -> dict[str, Any]:
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise UsageError(f"--answers {path}: {error.strerror}") from None  # the system's own words
    try:
        data = yaml.safe_load(text)  # YAML also reads JSON
    except yaml.YAMLError as error:
        raise UsageError(_("--answers %(file)s: not valid YAML or JSON (%(error)s)")
                         % {"file": path, "error": error}) from None
    if not isinstance(data, dict):
        raise UsageError(_("--answers %(file)s: expected a mapping of answer labels to answers")
                         % {"file": path})
    return {str(label): target for label, target in data.items()}


@_guarded
def run_kano(args: argparse.Namespace) -> int:
    """KANO per feature."""
    shape = "NAME=FUNCTIONAL_COLUMN,DYSFUNCTIONAL_COLUMN"
    features = _unique("--feature", [_spec("--feature", v, 2, shape) for v in args.feature])
    importance = {name: cols[0] for name, cols in (_spec("--importance", v, 1, "NAME=COLUMN")
                                                     for v in args.importance)}
    unknown = set(importance) - {name for name, _c in features}
    if unknown:
        raise UsageError(
            _("--importance for unknown feature(s): %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if not 0 <= args.tolerance < 100:
        raise UsageError(_("--tolerance is in percentage points, from 0 to below 100"))
    reader = AnswerReader(_load_answer_map(args.answers) if args.answers else None)
    table = _open(args)
    refs = {f"{side}:{name}": col for name, cols in features for side, col in zip("fd", cols, strict=True)}
    refs.update({f"i:{name}": column for name, column in importance.items()})
    data = _columns(table, refs)

    def answers(key: str) -> list[Any]:
        return _checked(table, table.resolve(refs[key]), data[key], lambda v: reader.read(v, where="answer"))

    results = []
    for name, _c in features:
        imp = None
        if name in importance:
            column = table.resolve(importance[name])
            imp = _checked(table, column, data[f"i:{name}"], lambda v: to_number(v, what="importance"))
        # The answers are already canonical names, so the built-in reader (not the user's
        # mapping, which could rename a canonical name) reads them again.
        results.append(analyze_feature(name, answers(f"f:{name}"), answers(f"d:{name}"), table=args.table,
                                       importance=imp, tolerance=args.tolerance / 100))
    if args.json:
        flat = [{"feature": r.feature, "n": r.n, **r.counts, **{k: v for k, v in r.to_dict().items()
                                                                if k not in ("feature", "n", "counts")}}
                for r in results]
        _dump(flat)
        return 0
    headers = ["feature", "n", "A", "O", "M", "I", "R", "Q", "max", "M>O>A>I", "Better", "Worse", "Fong"]
    with_importance = any(r.importance_mean is not None for r in results)
    rows = []
    for r in results:
        fong = None if r.fong_significant is None else ("sig." if r.fong_significant else "ns")
        row = [_short(r.feature), r.n, *r.counts.values(), r.category, r.category_moai, r.better, r.worse]
        row.append(fong)
        rows.append([*row, r.importance_mean] if with_importance else row)
    _print_table(headers + ["importance"] * with_importance, rows)
    skipped = sum(r.missing for r in results)
    print("\n" + _("%(table)s table; M>O>A>I tolerance %(tolerance)s points; Better = (A+O)/(A+O+M+I), "
                   "Worse = −(O+M)/(A+O+M+I); %(skipped)s blank answer pairs skipped")
          % {"table": args.table, "tolerance": f"{args.tolerance:g}", "skipped": skipped})
    return 0


@_guarded
def run_servqual(args: argparse.Namespace) -> int:
    """SERVQUAL gaps."""
    shape = "NAME=EXPECTATION_COLUMN,PERCEPTION_COLUMN,DIMENSION"
    items = _unique("--item", [_spec("--item", v, 3, shape) for v in args.item])
    weights = {d: cols[0] for d, cols in (_spec("--weight", v, 1, "DIMENSION=POINTS") for v in args.weight)}
    allocations = {d: cols[0] for d, cols in (_spec("--importance", v, 1, "DIMENSION=COLUMN")
                                              for v in args.importance)}
    if weights and allocations:
        raise UsageError(_("give --weight (fixed points) or --importance (columns), not both"))
    table = _open(args)
    refs = {f"{side}:{name}": col for name, cols in items for side, col in zip("ep", cols[:2], strict=True)}
    refs.update({f"w:{dimension}": column for dimension, column in allocations.items()})
    data = _columns(table, refs)
    inputs = []
    for name, (expectation, perception, dimension) in items:
        scale = Scale(f"SERVQUAL {name!r}", 1, 7)
        e = _checked(table, table.resolve(expectation), data[f"e:{name}"], lambda v, s=scale: to_point(v, s))
        p = _checked(table, table.resolve(perception), data[f"p:{name}"], lambda v, s=scale: to_point(v, s))
        inputs.append(ServqualItem(name, dimension, e, p))
    importance: dict[str, Any] | None = dict(weights) or None
    if allocations:
        importance = {d: [v for _line, v in data[f"w:{d}"]] for d in allocations}
    result = servqual(inputs, importance=importance)
    if args.json:
        _dump(result.to_dict())
        return 0
    _print_table(["item", "dimension", "n", "E", "P", "gap", "95% CI"],
                 [[_short(g.name), g.dimension, g.n, g.expectation, g.perception, g.gap, _ci(g)]
                  for g in result.items])
    print()
    _print_table(["dimension", "items", "n", "E", "P", "gap", "95% CI", "alpha"],
                 [[g.name, g.items, g.n, g.expectation, g.perception, g.gap, _ci(g), g.alpha]
                  for g in result.dimensions])
    weighted = "" if result.weighted is None else _("; weighted %(score)s") % {"score": _fmt(result.weighted)}
    print("\n" + _("unweighted SERVQUAL %(score)s%(weighted)s (%(n)s respondents; "
                   "gap = perception − expectation)")
          % {"score": _fmt(result.unweighted), "weighted": weighted, "n": result.respondents})
    return 0


def _ci(result: Any, digits: int = 2) -> str:
    if result.ci_low is None:
        return "–"
    return f"[{result.ci_low:.{digits}f}, {result.ci_high:.{digits}f}]"


def _numeric(table: Table, refs: dict[str, str]) -> dict[str, list[float | None]]:
    data = _columns(table, refs)
    return {key: _checked(table, table.resolve(refs[key]), cells, lambda v: to_number(v, what="value"))
            for key, cells in data.items()}


@_guarded
def run_drivers(args: argparse.Namespace) -> int:
    """Key drivers of an outcome."""
    table = _open(args)
    names = [table.resolve(ref) for ref in args.driver]
    if len(set(names)) != len(names):
        raise UsageError(_("a --driver is given twice"))
    numeric = _numeric(table, {"outcome": args.outcome, **{name: name for name in names}})
    result = drivers_mod.key_drivers(
        numeric["outcome"], {name: numeric[name] for name in names}, outcome_name=table.resolve(args.outcome),
        method=args.driver_method, bootstrap=args.bootstrap, seed=args.seed,
    )
    if args.json:
        _dump(result.to_dict())
        return 0
    boot = bool(result.bootstrap)
    ranked = sorted(result.weights, key=lambda w: -w.weight)
    _print_table(["driver", "weight", "% of R²", "r", "beta"] + ["95% CI"] * boot,
                 [[_short(w.driver), f"{w.weight:.4f}", _fmt(w.percent, 1), w.correlation, w.beta]
                  + [_ci(w, 3)] * boot for w in ranked])
    dropped = _(", %(n)s rows with blanks dropped") % {"n": result.dropped} if result.dropped else ""
    resamples = (
        _("; %(n)s bootstrap resamples, seed %(seed)s") % {"n": result.bootstrap, "seed": result.seed}
        if boot else ""
    )
    print(f"\n{result.method}: R² = {result.r_squared:.4f} on n = {result.n}{dropped}{resamples}")
    return 0


@_guarded
def run_ipa(args: argparse.Namespace) -> int:
    """Importance–performance grid."""
    shape = "NAME=PERFORMANCE_COLUMN[,IMPORTANCE_COLUMN]"
    specs = [_spec("--attribute", v, 2, shape, optional_last=True) for v in args.attribute]
    attributes = _unique("--attribute", specs)
    stated = [len(cols) == 2 for _name, cols in attributes]
    if any(stated) and not all(stated):
        raise UsageError(_("give an importance column for every --attribute or for none"))
    if all(stated) == (args.outcome is not None):
        raise UsageError(_("give importance columns (stated) or --outcome (derived importance), one of them"))
    crosshair = None
    if args.crosshair:
        try:
            low, high = (float(part) for part in args.crosshair.split(","))
        except ValueError:
            raise UsageError(
                _("--crosshair %(value)r: expected IMPORTANCE,PERFORMANCE") % {"value": args.crosshair}
            ) from None
        crosshair = (low, high)
    table = _open(args)
    refs = {f"{side}:{name}": col for name, cols in attributes for side, col in zip("pi", cols, strict=False)}
    if args.outcome:
        refs["outcome"] = args.outcome
    numeric = _numeric(table, refs)
    result = ipa({name: numeric[f"p:{name}"] for name, _c in attributes},
                 importance={name: numeric[f"i:{name}"] for name, _c in attributes} if all(stated) else None,
                 outcome=numeric.get("outcome"), crosshair=crosshair)
    if args.json:
        _dump(result.to_dict())
        return 0
    _print_table(["attribute", "importance", "performance", "action"],
                 [[_short(a.name), a.importance, a.performance, a.action] for a in result.attributes])
    print("\n" + _("%(kind)s importance; crosshair at importance %(importance)s, performance %(performance)s")
          % {"kind": result.importance_kind, "importance": f"{result.importance_crosshair:.2f}",
             "performance": f"{result.performance_crosshair:.2f}"})
    return 0


@_guarded
def run_metric(args: argparse.Namespace) -> int:
    """NPS, CSAT or CES, optionally per group."""
    spec = SPECS[args.metric]
    table = _open(args)
    refs = {"value": args.column, **({"by": args.by} if args.by else {}),
            **({"weight": args.weight} if args.weight else {})}
    data = _columns(table, refs)
    values = _checked(table, table.resolve(args.column), data["value"], lambda v: to_point(v, spec.scale))
    weights = _checked(table, table.resolve(args.weight), data["weight"], _weight) if args.weight else None
    groups: dict[str, list[int]] = {}
    for index, (_line, label) in enumerate(data.get("by", [])):
        groups.setdefault(str(label).strip() or "(blank)", []).append(index)

    def compute(indexes: Sequence[int]) -> Any:
        w = None if weights is None else [weights[i] for i in indexes]
        return score(args.metric, [values[i] for i in indexes], weights=w, min_n=args.min_n)

    overall = compute(range(len(values)))
    per_group = {label: compute(indexes) for label, indexes in sorted(groups.items())}
    if args.json:
        grouped = [{"group": label, **r.to_dict()} for label, r in per_group.items()]
        _dump(grouped if args.by else overall.to_dict())
        return 0
    points = list(spec.scale.points())
    digits = 2 if spec.headline == "mean" else 1
    _print_table(["group", "n", spec.label, "95% CI", "mean", *map(str, points)],
                 [[_short(label, 30), r.n, _fmt(r.score, digits), _ci(r, digits), r.mean,
                   *[r.counts.get(p, "–") for p in points]]
                  for label, r in [("All", overall), *per_group.items()]])
    note = {"net": _("NPS = % promoters (9–10) − % detractors (0–6)"), "top": _("CSAT = % answering 4 or 5"),
            "mean": _("CES = mean agreement; % agree (5–7) is in --json shares")}[spec.headline]
    suppressed = sum(r.suppressed for r in per_group.values()) + overall.suppressed
    hidden = _("; %(n)s group(s) below min n suppressed") % {"n": suppressed} if suppressed else ""
    print("\n" + _("%(note)s; blank answers skipped: %(n)s%(hidden)s")
          % {"note": note, "n": overall.missing, "hidden": hidden})
    return 0


if __name__ == "__main__":
    sys.exit(main())
