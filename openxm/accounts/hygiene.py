"""The one check of text from outside, in the user's language: the request edge and the columns.

Two doors use it. ``openxm.web.middleware.InputHygieneMiddleware`` refuses a request whose path,
query string, form post or JSON body holds a NUL, a lone surrogate or a control character
(422 naming the field). ``guard_columns`` runs before every model save (connected in
``AccountsConfig.ready``), so pages, the API, imports, the CLI and background jobs cannot write
text a column cannot hold: a NUL or lone surrogate anywhere (PostgreSQL refuses the first,
every database the second) or more characters than a ``CharField``'s ``max_length`` (which
SQLite would store and PostgreSQL refuse). Bulk inserts skip ``save()``; their inputs come
through the request edge or the file readers.
"""

from django.db import models
from django.utils.translation import gettext as _

from openxm.utils import cleantext

from .errors import InvalidInput


def problem_message(code: str) -> str:
    if code == cleantext.NUL:
        return _("contains a NUL character (\\u0000), which cannot be stored")
    if code == cleantext.SURROGATE:
        return _("contains a lone surrogate (\\ud800–\\udfff), which is not valid Unicode")
    return _("contains a control character, which is not allowed")


def too_long_message(limit: int, length: int) -> str:
    return _("can be at most %(limit)d characters (this has %(length)d)") % {
        "limit": limit,
        "length": length,
    }


def check_value(field: str, value) -> None:
    """Raise InvalidInput naming ``field`` (dotted into mappings) when ``value`` holds bad text."""
    found = cleantext.find_problem(value, field)
    if found:
        raise InvalidInput(found[0], problem_message(found[1]))


def guard_columns(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: refuse text a column cannot hold, naming the field (see the module docstring).

    Only NUL and lone surrogates are refused here, not other control characters: stored text
    may legitimately carry a form feed from an imported document.
    """
    if raw:  # fixtures load what they hold
        return
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if not isinstance(value, str):
                continue
            code = cleantext.problem(value)
            if code in (cleantext.NUL, cleantext.SURROGATE):
                raise InvalidInput(field.name, problem_message(code))
            limit = getattr(field, "max_length", None)
            if isinstance(field, models.CharField) and limit and len(value) > limit:
                raise InvalidInput(field.name, too_long_message(limit, len(value)))
        elif isinstance(field, models.JSONField):
            found = cleantext.find_problem(getattr(instance, field.attname), field.name)
            if found and found[1] in (cleantext.NUL, cleantext.SURROGATE):
                raise InvalidInput(found[0], problem_message(found[1]))
