"""``openxm analyze rfm`` and ``openxm analyze clv``: customer value from a transactions file.

A thin adapter over :mod:`openxm.analytics.rfm` and :mod:`openxm.analytics.clv`, without Django:
one row per transaction with a customer, a date and a value column (the shared reader: CSV/TSV/
XLSX, any encoding). Dates are ``YYYY-MM-DD`` (a time after it is ignored), ``YYYYMMDD`` or XLSX
dates; purchases of one customer on the same day count as one transaction. Time unit: weeks.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from openxm.analytics import clv as clv_model
from openxm.analytics.rfm import RfmInput, rfm
from openxm.analytics.values import to_number

from .analyze import UsageError, _checked, _columns, _dump, _file_arguments, _guarded, _open, _print_table
from .i18n import gettext as _


def register(methods: Any) -> None:
    """Add ``rfm`` and ``clv`` to the ``analyze`` methods."""
    r = methods.add_parser("rfm", help=_("RFM quintiles (5 = best) and tiers from transactions"))
    _file_arguments(r)
    _transaction_columns(r)
    r.add_argument("--as-of", metavar="DATE", help=_("reference date for recency (default: the last date)"))
    r.set_defaults(func=run_rfm)

    c = methods.add_parser("clv", help=_("CLV with BG/NBD and Gamma-Gamma from transactions"))
    _file_arguments(c)
    _transaction_columns(c)
    c.add_argument(
        "--calibration-end",
        metavar="DATE",
        help=_("fit on transactions up to this date (default: the last date)"),
    )
    c.add_argument(
        "--horizon-weeks",
        type=int,
        default=52,
        metavar="N",
        help=_("weeks ahead the CLV covers (default 52)"),
    )
    c.add_argument(
        "--discount-rate",
        type=float,
        default=0.10,
        metavar="RATE",
        help=_("annual discount rate (default 0.10)"),
    )
    c.set_defaults(func=run_clv)


def _transaction_columns(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customer", required=True, metavar="COLUMN", help=_("customer id column"))
    parser.add_argument("--date", required=True, metavar="COLUMN", help=_("transaction date column"))
    parser.add_argument("--value", required=True, metavar="COLUMN", help=_("transaction value column"))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value if value is not None else "").strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    try:
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(_("%(value)r is not a date (YYYY-MM-DD or YYYYMMDD)") % {"value": value}) from None


def _option_date(option: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return _date(value)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


def _money(value: Any) -> float:
    number = to_number(value, what="value")
    if number is None:
        raise ValueError(_("the value is blank"))
    return number


def _transactions(args: argparse.Namespace) -> list[tuple[str, dt.date, float]]:
    table = _open(args)
    data = _columns(table, {"customer": args.customer, "date": args.date, "value": args.value})
    customers = [str(v if v is not None else "").strip() for _line, v in data["customer"]]
    dates = _checked(table, table.resolve(args.date), data["date"], _date)
    values = _checked(table, table.resolve(args.value), data["value"], _money)
    rows = [(c, d, v) for c, d, v in zip(customers, dates, values, strict=True) if c]
    if not rows:
        raise UsageError(_("the file has no transactions"))
    return rows


@_guarded
def run_rfm(args: argparse.Namespace) -> int:
    """RFM over the whole file (or up to --as-of)."""
    rows = _transactions(args)
    as_of = _option_date("--as-of", args.as_of) or max(d for _c, d, _v in rows)
    per: dict[str, dict] = {}
    for customer, day, amount in rows:
        if day > as_of:
            continue
        p = per.setdefault(customer, {"days": {}, "total": 0.0})
        p["days"][day] = True
        p["total"] += amount
    inputs = [
        RfmInput(c, (as_of - max(p["days"])).days, len(p["days"]), p["total"]) for c, p in sorted(per.items())
    ]
    scores = rfm(inputs)
    out = [
        {
            "customer": i.customer,
            "recency_days": i.recency_days,
            "frequency": i.frequency,
            "monetary": round(i.monetary, 2),
            "r": s.r,
            "f": s.f,
            "m": s.m,
            "rfm": s.code,
            "tier": s.tier,
        }
        for i, s in zip(inputs, scores, strict=True)
    ]
    if args.json:
        _dump({"as_of": as_of.isoformat(), "n": len(out), "customers": out})
        return 0
    _print_table(
        ["customer", "recency", "frequency", "monetary", "RFM", "tier"],
        [[o["customer"], o["recency_days"], o["frequency"], o["monetary"], o["rfm"], o["tier"]] for o in out],
    )
    print(
        "\n"
        + _("%(n)s customers; recency in days before %(date)s; 5 = best") % {"n": len(out), "date": as_of}
    )
    return 0


@_guarded
def run_clv(args: argparse.Namespace) -> int:
    """BG/NBD + Gamma-Gamma fitted up to --calibration-end; CLV over the horizon."""
    if args.horizon_weeks < 1:
        raise UsageError(_("--horizon-weeks must be at least 1"))
    if not 0 <= args.discount_rate < 1:
        raise UsageError(_("--discount-rate must be at least 0 and below 1"))
    rows = _transactions(args)
    end = _option_date("--calibration-end", args.calibration_end) or max(d for _c, d, _v in rows)
    summaries = clv_model.summarise(rows, end)
    result = clv_model.clv(summaries, args.horizon_weeks, args.discount_rate)
    params: dict[str, Any] = dict.fromkeys(("r", "alpha", "a", "b", "p", "q", "gamma"))
    if result.bgnbd:
        params.update(r=result.bgnbd.r, alpha=result.bgnbd.alpha, a=result.bgnbd.a, b=result.bgnbd.b)
    if result.gamma_gamma:
        params.update(p=result.gamma_gamma.p, q=result.gamma_gamma.q, gamma=result.gamma_gamma.gamma)
    stats = {s.customer: s for s in summaries}
    customers = [
        {
            "customer": v.customer,
            "x": stats[v.customer].x,
            "t_x": round(stats[v.customer].t_x, 4),
            "T": round(stats[v.customer].T, 4),
            "expected_purchases": v.expected_purchases,
            "p_alive": v.p_alive,
            "expected_spend": v.expected_spend,
            "clv": v.clv,
        }
        for v in result.customers
    ]
    if args.json:
        _dump(
            {
                **params,
                "method": result.method,
                "reason": result.reason,
                "n": result.n,
                "repeaters": result.repeaters,
                "calibration_end": end.isoformat(),
                "horizon_weeks": args.horizon_weeks,
                "discount_rate": args.discount_rate,
                "log_likelihood": {
                    "bgnbd": result.bgnbd.log_likelihood if result.bgnbd else None,
                    "gamma_gamma": result.gamma_gamma.log_likelihood if result.gamma_gamma else None,
                },
                "customers": customers,
            }
        )
        return 0
    _print_table(
        ["customer", "x", "expected purchases", "P(alive)", "expected spend", "CLV"],
        [
            [c["customer"], c["x"], c["expected_purchases"], c["p_alive"], c["expected_spend"], c["clv"]]
            for c in customers
        ],
    )
    if result.method == "simple":
        print(
            "\n"
            + _("simple formula (mean order value × purchase rate × horizon): %(reason)s")
            % {"reason": result.reason}
        )
    else:
        print("\n" + "  ".join(f"{k}={v:.4g}" for k, v in params.items()))
    print(
        _(
            "%(n)s customers, %(rep)s with repeat purchases; calibration to %(end)s; "
            "%(weeks)s weeks at %(rate)s a year"
        )
        % {
            "n": result.n,
            "rep": result.repeaters,
            "end": end,
            "weeks": args.horizon_weeks,
            "rate": args.discount_rate,
        }
    )
    return 0
