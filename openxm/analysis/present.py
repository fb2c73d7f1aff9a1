"""The one mapper from a :class:`StudyRun` to plain data: for the API, the pages and the CSV files.

Suppression happens here, once: a feature, item, dimension, attribute or driver analysis whose n
is below the organization's minimum sample size keeps its n and ``suppressed: true``, and every
figure computed from its answers is None. Labels are the question texts in the UI language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .services import StudyRun

ACTION_LABELS = {
    "Concentrate here": gettext_lazy("Concentrate here"),
    "Keep up the good work": gettext_lazy("Keep up the good work"),
    "Low priority": gettext_lazy("Low priority"),
    "Possible overkill": gettext_lazy("Possible overkill"),
}
CATEGORY_LABELS = {
    "A": gettext_lazy("Attractive"),
    "O": gettext_lazy("One-dimensional"),
    "M": gettext_lazy("Must-be"),
    "I": gettext_lazy("Indifferent"),
    "R": gettext_lazy("Reverse"),
    "Q": gettext_lazy("Questionable"),
}


def _hide(row: dict, keep: tuple[str, ...]) -> dict:
    return {k: (v if k in keep else None) for k, v in row.items()} | {"suppressed": True}


def present(run: StudyRun) -> dict[str, Any]:
    """Plain, JSON-ready data of a study run, with small samples suppressed."""
    study = run.study
    body = None
    if run.result is not None:
        body = {"kano": _kano, "servqual": _servqual, "ipa": _ipa, "drivers": _drivers}[study.kind](run)
    return {
        "study": {
            "id": study.id,
            "title": study.title,
            "kind": study.kind,
            "survey_id": study.survey_id,
            "survey_title": study.survey_title,
        },
        "config": run.config,
        "filters": run.filters.as_dict(),
        "min_n": run.min_n,
        "respondents": run.respondents,
        "problem": run.problem,
        "result": body,
    }


def _kano(run: StudyRun) -> dict:
    features = []
    for r in run.result:
        row = {
            "feature": r.feature,
            "label": run.labels.get(r.feature, r.feature),
            "n": r.n,
            "counts": dict(r.counts),
            "category": r.category,
            "category_label": str(CATEGORY_LABELS[r.category]) if r.category else None,
            "category_moai": r.category_moai,
            "better": r.better,
            "worse": r.worse,
            "total_strength": r.total_strength,
            "category_strength": r.category_strength,
            "chi_squared": r.chi_squared,
            "chi_squared_p": r.chi_squared_p,
            "fong_significant": r.fong_significant,
            "importance_mean": r.importance_mean,
            "importance_n": r.importance_n,
            "missing": r.missing,
            "suppressed": False,
        }
        if r.n < run.min_n:
            row = _hide(row, ("feature", "label", "n", "missing"))
        features.append(row)
    mix: dict[str, int] = {}
    for f in features:
        if f["category"]:
            mix[f["category"]] = mix.get(f["category"], 0) + 1
    return {"table": run.config.get("table", "berger"), "tolerance": run.config.get("tolerance", 0.05),
            "category_counts": mix, "features": features}


def _servqual(run: StudyRun) -> dict:
    res = run.result
    weights = dict(res.weights) if res.weights else {}
    items = []
    for g in res.items:
        row = {
            "item": g.name,
            "label": run.labels.get(g.name, g.name),
            "dimension": g.dimension,
            "dimension_label": run.labels.get(g.dimension, g.dimension),
            "n": g.n,
            "expectation": g.expectation,
            "perception": g.perception,
            "gap": g.gap,
            "sd": g.sd,
            "ci_low": g.ci_low,
            "ci_high": g.ci_high,
            "suppressed": False,
        }
        if g.n < run.min_n:
            row = _hide(row, ("item", "label", "dimension", "dimension_label", "n"))
        items.append(row)
    dimensions = []
    for g in res.dimensions:
        row = {
            "dimension": g.name,
            "label": run.labels.get(g.name, g.name),
            "n": g.n,
            "items": g.items,
            "expectation": g.expectation,
            "perception": g.perception,
            "gap": g.gap,
            "sd": g.sd,
            "ci_low": g.ci_low,
            "ci_high": g.ci_high,
            "alpha": g.alpha,
            "weight": weights.get(g.name),
            "suppressed": False,
        }
        if g.n < run.min_n:
            row = _hide(row, ("dimension", "label", "n", "items"))
        dimensions.append(row)
    overall_hidden = res.respondents < run.min_n
    shown = [d for d in dimensions if d["gap"] is not None]
    largest = min(shown, key=lambda d: d["gap"]) if shown else None
    return {
        "largest_gap": None if largest is None else {
            "dimension": largest["dimension"], "label": largest["label"], "gap": largest["gap"]
        },
        "confidence": res.confidence,
        "respondents": res.respondents,
        "unweighted": None if overall_hidden else res.unweighted,
        "weighted": None if overall_hidden else res.weighted,
        "suppressed": overall_hidden,
        "items": items,
        "dimensions": dimensions,
    }


def _ipa(run: StudyRun) -> dict:
    res = run.result
    attributes = []
    for a in res.attributes:
        row = {
            "attribute": a.name,
            "label": run.labels.get(a.name, a.name),
            "importance": a.importance,
            "performance": a.performance,
            "n_importance": a.n_importance,
            "n_performance": a.n_performance,
            "quadrant": a.quadrant,
            "action": a.action,
            "action_label": str(ACTION_LABELS.get(a.action, a.action)),
            "suppressed": False,
        }
        if min(a.n_importance, a.n_performance) < run.min_n:
            row = _hide(row, ("attribute", "label", "n_importance", "n_performance"))
        attributes.append(row)
    outcome = run.config.get("outcome")
    return {
        "concentrate": [a["label"] for a in attributes if a["quadrant"] == "high/low"],
        "importance_kind": res.importance_kind,
        "outcome": outcome,
        "outcome_label": run.labels.get(outcome, outcome) if outcome else None,
        "importance_crosshair": res.importance_crosshair,
        "performance_crosshair": res.performance_crosshair,
        "attributes": attributes,
    }


def _drivers(run: StudyRun) -> dict:
    res = run.result
    hidden = res.n < run.min_n
    weights = []
    for w in sorted(res.weights, key=lambda w: -w.weight):
        scale = 100 / res.r_squared if res.r_squared > 0 else None
        row = {
            "driver": w.driver,
            "label": run.labels.get(w.driver, w.driver),
            "weight": w.weight,
            "percent": w.percent,
            "ci_low": w.ci_low,
            "ci_high": w.ci_high,
            "ci_low_percent": None if w.ci_low is None or scale is None else w.ci_low * scale,
            "ci_high_percent": None if w.ci_high is None or scale is None else w.ci_high * scale,
            "correlation": w.correlation,
            "beta": w.beta,
            "rank": len(weights) + 1,
            "suppressed": hidden,
        }
        if hidden:
            row = _hide(row, ("driver", "label"))
        weights.append(row)
    return {
        "outcome": res.outcome,
        "outcome_label": run.labels.get(res.outcome, res.outcome),
        "method": res.method,
        "n": res.n,
        "dropped": res.dropped,
        "r_squared": None if hidden else res.r_squared,
        "bootstrap": res.bootstrap,
        "seed": res.seed,
        "confidence": res.confidence,
        "suppressed": hidden,
        "weights": weights,
        "columns": list(res.columns),
        "column_labels": [run.labels.get(c, c) for c in res.columns],
        "correlations": None if hidden else [list(row) for row in res.correlations],
    }


# --- CSV ------------------------------------------------------------------------------------


def _r(value: Any, digits: int = 4) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def csv_tables(presented: dict) -> dict[str, tuple[list[str], list[list]]]:
    """The tables of a presented study as ``{name: (header, rows)}``, in the page's order."""
    body = presented["result"]
    kind = presented["study"]["kind"]
    if body is None:
        return {}
    if kind == "kano":
        header = ["feature", "label", "n", "A", "O", "M", "I", "R", "Q", "category", "category_moai",
                  "better", "worse", "importance_mean", "fong_significant", "suppressed"]
        rows = [[f["feature"], f["label"], f["n"], *[(f["counts"] or {}).get(c) for c in "AOMIRQ"],
                 f["category"], f["category_moai"], _r(f["better"]), _r(f["worse"]),
                 _r(f["importance_mean"]), f["fong_significant"], f["suppressed"]] for f in body["features"]]
        return {"features": (header, rows)}
    if kind == "servqual":
        keys = ["n", "expectation", "perception", "gap", "ci_low", "ci_high"]
        items = [[i["item"], i["label"], i["dimension"], *[_r(i[k]) for k in keys], i["suppressed"]]
                 for i in body["items"]]
        dims = [[d["dimension"], d["label"], d["items"], *[_r(d[k]) for k in keys], _r(d["alpha"]),
                 _r(d["weight"]), d["suppressed"]] for d in body["dimensions"]]
        return {
            "items": (["item", "label", "dimension", *keys, "suppressed"], items),
            "dimensions": (["dimension", "label", "items", *keys, "alpha", "weight", "suppressed"], dims),
        }
    if kind == "ipa":
        keys = ["importance", "performance", "n_importance", "n_performance", "quadrant", "action"]
        rows = [[a["attribute"], a["label"], *[_r(a[k]) for k in keys], a["suppressed"]]
                for a in body["attributes"]]
        return {"attributes": (["attribute", "label", *keys, "suppressed"], rows)}
    keys = ["weight", "percent", "ci_low", "ci_high", "correlation", "beta"]
    weights = [[w["rank"], w["driver"], w["label"], *[_r(w[k]) for k in keys], w["suppressed"]]
               for w in body["weights"]]
    tables = {"weights": (["rank", "driver", "label", *keys, "suppressed"], weights)}
    if body["correlations"] is not None:
        tables["correlations"] = (
            ["", *body["columns"]],
            [[name, *[_r(x, 3) for x in row]] for name, row in zip(body["columns"], body["correlations"],
                                                                     strict=True)],
        )
    return tables


def table_titles() -> dict[str, str]:
    return {
        "features": _("Features"),
        "items": _("Items"),
        "dimensions": _("Dimensions"),
        "attributes": _("Attributes"),
        "weights": _("Driver weights"),
        "correlations": _("Correlations"),
    }
