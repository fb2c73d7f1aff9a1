"""The command line's language: Simplified Chinese or English, chosen from the environment.

``OPENXM_LANGUAGE`` (``zh-hans`` or ``en``) if set, else the POSIX locale variables as gettext
reads them: ``LANGUAGE`` (a ``:``-separated list; ignored in the C/POSIX locale), then the first
set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``. ``zh…`` means Simplified Chinese, anything else
English.

Every command marks its strings with :func:`gettext` (``_``) from here. The translations are read
with the standard :mod:`gettext` module from the web's compiled catalog
(``openxm/locale/zh_Hans/LC_MESSAGES/django.mo``), so ``analyze`` and ``text`` stay free of
Django, settings and a database. argparse's own strings ("usage:", "the following arguments are
required: …") go through the same catalog. Commands that set Django up also get its active
language switched (:func:`activate_django`), so the services' errors, which Django translates,
come out in the same language.
"""

from __future__ import annotations

import argparse
import gettext as _gettext
import os
from collections.abc import Mapping
from pathlib import Path

CHINESE = "zh-hans"
ENGLISH = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
_CATALOG_NAMES = {CHINESE: "zh_Hans"}  # Django's directory name for zh-hans

_translations: dict[str, _gettext.NullTranslations] = {}
_current: list[str] = []  # the active language, once chosen
_django_saved: list[str | None] = []  # Django's language before activate_django, to restore


def language(environ: Mapping[str, str] | None = None) -> str:
    """``zh-hans`` or ``en`` for this environment (see the module's docstring)."""
    env = os.environ if environ is None else environ
    chosen = (env.get("OPENXM_LANGUAGE") or "").strip()
    if chosen:
        return _match(chosen) or ENGLISH
    locale = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    if locale.split(".")[0] in ("C", "POSIX"):
        return ENGLISH  # GNU gettext ignores LANGUAGE in the C locale
    for entry in (env.get("LANGUAGE") or "").split(":"):
        if found := _match(entry):
            return found
    return _match(locale) or ENGLISH


def _match(name: str) -> str | None:
    name = name.strip().lower()
    if name.startswith("zh"):
        return CHINESE
    if name.startswith("en"):
        return ENGLISH
    return None


def activate(lang: str | None = None) -> str:
    """Use ``lang`` (default: :func:`language`) for every string from now on; return it."""
    lang = lang or language()
    _current[:] = [lang]
    # argparse looks its gettext functions up at call time: its usage line, section titles and
    # parse errors follow the CLI's language too (msgids without a translation stay English).
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
    return lang


def current() -> str:
    return _current[0] if _current else activate()


def _catalog() -> _gettext.NullTranslations:
    lang = current()
    if lang not in _translations:
        name = _CATALOG_NAMES.get(lang)
        _translations[lang] = (
            _gettext.translation("django", LOCALE_DIR, languages=[name], fallback=True)
            if name
            else _gettext.NullTranslations()
        )
    return _translations[lang]


def gettext(message: str) -> str:
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalog; translate it later, where it is shown."""
    return message


_ = gettext


def error_line(prog: str, message: object) -> str:
    """The one line an expected failure prints: ``openxm X: error: …``."""
    return _("%(prog)s: error: %(message)s") % {"prog": prog, "message": message}


def usage_error_line(prog: str, message: object) -> str:
    """The one line a wrong argument prints, pointing at ``--help``."""
    return _("%(prog)s: error: %(message)s (see '%(prog)s --help')") % {"prog": prog, "message": message}


def activate_django() -> None:
    """Switch Django's active language to the CLI's (Django must be set up).

    The previous language is kept for :func:`restore_django`, so that running a command inside
    another program (tests) leaves its language as it was.
    """
    from django.utils import translation

    _django_saved.append(translation.get_language())
    translation.activate(current())


def restore_django() -> None:
    """Undo every :func:`activate_django` since the last restore."""
    if not _django_saved:
        return
    from django.utils import translation

    previous = _django_saved[0]
    _django_saved.clear()
    if previous is None:
        translation.deactivate_all()
    else:
        translation.activate(previous)


def _argparse_messages() -> tuple[str, ...]:
    """argparse's own messages that users see, marked here so that `make messages` puts them in
    the catalog (the strings of Python 3.11's argparse; other versions share most of them).
    Never called: xgettext reads it."""
    return (
        gettext_noop("usage: "),
        gettext_noop("positional arguments"),
        gettext_noop("options"),
        gettext_noop("show this help message and exit"),
        gettext_noop("argument %(argument_name)s: %(message)s"),
        gettext_noop("unrecognized arguments: %s"),
        gettext_noop("not allowed with argument %s"),
        gettext_noop("ignored explicit argument %r"),
        gettext_noop("the following arguments are required: %s"),
        gettext_noop("one of the arguments %s is required"),
        gettext_noop("expected one argument"),
        gettext_noop("expected at most one argument"),
        gettext_noop("expected at least one argument"),
        gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
        gettext_noop("invalid %(type)s value: %(value)r"),
        gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
        gettext_noop("unknown parser %(parser_name)r (choices: %(choices)s)"),
        gettext_noop("can't open '%(filename)s': %(error)s"),
        # A plural: listed through ngettext so that both forms are extracted.
        ngettext("expected %s argument", "expected %s arguments", 1),
    )
