"""Every signal openxm defines, and every openxm receiver of a signal, in one place.

Data derived from responses follows them through the domain signals of ``surveys.signals``,
subscribed in each app's ``AppConfig.ready`` (DESIGN.md, "The house"). A new signal or a new
receiver changes the tables below: the fan-out is a reviewed change, not a surprise.
"""

import importlib
import re
import weakref
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import signals as auth_signals
from django.core import signals as core_signals
from django.db.models import signals as model_signals
from django.dispatch import Signal

PACKAGE = Path(__file__).resolve().parent.parent / "openxm"

DOMAIN_SIGNALS = {
    "openxm.surveys.signals.responses_recorded": [
        "openxm.alerts.evaluate.on_responses_recorded",  # on commit: score and answer rules
        "openxm.cases.followup.on_responses_recorded",  # a follow-up answer lands on its case
        "openxm.comments.receivers.on_responses_recorded",  # on commit: text analytics, one batch
        "openxm.insights.rollups.on_responses_recorded",
        "openxm.metrics.on_responses_recorded",  # on commit: the ingestion count of /metrics
    ],
    "openxm.alerts.signals.alert_fired": [
        "openxm.cases.opening.on_alert_fired",  # the rule's `case` action opens one case
    ],
    "openxm.comments.signals.analyses_written": [
        "openxm.alerts.evaluate.on_analyses_written",  # text rules, after the analysis
    ],
    "openxm.surveys.signals.response_deleted": [
        "openxm.comments.receivers.on_response_deleted",
        "openxm.insights.rollups.on_response_deleted",
        "openxm.surveys.quota_counts.on_response_deleted",
    ],
    "openxm.surveys.signals.response_anonymised": [
        "openxm.comments.receivers.on_response_anonymised",
        "openxm.insights.rollups.on_response_anonymised",
    ],
}

# openxm's receivers of Django's own signals: caches, the sign-in audit and the storage guard of
# input hygiene (NUL, lone surrogates, over-long text), never derived data.
DJANGO_SIGNALS = {
    "pre_save": ["openxm.accounts.hygiene.guard_columns <- any"],
    # Per-process caches forget what changed (rules' kinds, public links, survey definitions,
    # rollup segments); none of them adjusts derived data.
    "post_save": [
        "openxm.alerts.evaluate.forget_rules <- alerts.Rule",
        "openxm.distribution.entry.forget_links <- accounts.Organization",
        "openxm.distribution.entry.forget_links <- distribution.Distribution",
        "openxm.distribution.entry.forget_links <- surveys.Survey",
        "openxm.insights.rollups.forget_segments <- insights.RollupSettings",
        "openxm.surveys.collect.forget_surveys <- surveys.Survey",
    ],
    "post_delete": [
        "openxm.alerts.evaluate.forget_rules <- alerts.Rule",
        "openxm.distribution.entry.forget_links <- accounts.Organization",
        "openxm.distribution.entry.forget_links <- distribution.Distribution",
        "openxm.distribution.entry.forget_links <- surveys.Survey",
        "openxm.insights.rollups.forget_segments <- insights.RollupSettings",
    ],
    "user_logged_in": ["openxm.accounts.signals._logged_in <- any"],
    "user_logged_out": ["openxm.accounts.signals._logged_out <- any"],
    "user_login_failed": ["openxm.accounts.signals._login_failed <- any"],
}


def _receivers(signal: Signal) -> list[tuple[str, str]]:
    """(``module.function``, sender) of each receiver connected to ``signal``."""
    models = {id(m): m._meta.label for m in apps.get_models()}
    out = []
    for (_uid, sender_id), ref, _is_async in signal.receivers:
        func = ref() if isinstance(ref, weakref.ReferenceType) else ref
        if func is None:
            continue
        sender = "any" if sender_id == id(None) else models.get(sender_id, "?")
        out.append((f"{func.__module__}.{func.__qualname__}", sender))
    return out


def _defined_signals() -> dict[str, Signal]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in re.findall(r"^(\w+) = Signal\(", path.read_text(encoding="utf-8"), re.MULTILINE):
            module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
            found[f"{module}.{name}"] = getattr(importlib.import_module(module), name)
    return found


def test_every_domain_signal_and_its_receivers():
    fan_out = {
        name: sorted(func for func, _sender in _receivers(signal))
        for name, signal in _defined_signals().items()
    }
    assert fan_out == DOMAIN_SIGNALS


@pytest.mark.parametrize("name", ["response_deleted", "response_anonymised", "responses_recorded"])
def test_domain_signals_are_received_from_any_sender(name):
    signal = _defined_signals()[f"openxm.surveys.signals.{name}"]
    assert {sender for _func, sender in _receivers(signal)} == {"any"}


def test_openxm_receivers_of_djangos_signals():
    """Deleting or saving a row through the ORM adjusts nothing derived: the actions' domain
    signals do (a ``pre_delete`` receiver once read answers already deleted)."""
    found = {}
    for module in (model_signals, auth_signals, core_signals):
        for name, signal in vars(module).items():
            if not isinstance(signal, Signal):
                continue
            ours = sorted(f"{f} <- {s}" for f, s in _receivers(signal) if f.startswith("openxm."))
            if ours:
                found[name] = ours
    assert found == DJANGO_SIGNALS
