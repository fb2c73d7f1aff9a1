"""Errors services raise for bad input. Each names the field and the problem, translated."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy


class InvalidInput(Exception):
    def __init__(self, field: str, message: str):
        self.field = field
        self.message = str(message)
        super().__init__(f"{field}: {self.message}")


# What NotFound can name, as the services pass it, translated in its message.
THINGS = {
    "action plan": pgettext_lazy("not found", "action plan"),
    "api key": pgettext_lazy("not found", "api key"),
    "churn model": pgettext_lazy("not found", "churn model"),
    "classifier": pgettext_lazy("not found", "classifier"),
    "contact": pgettext_lazy("not found", "contact"),
    "contact event": pgettext_lazy("not found", "contact event"),
    "merge": pgettext_lazy("not found", "merge"),
    "dashboard": pgettext_lazy("not found", "dashboard"),
    "distribution": pgettext_lazy("not found", "distribution"),
    "export": pgettext_lazy("not found", "export"),
    "export file": pgettext_lazy("not found", "export file"),
    "import": pgettext_lazy("not found", "import"),
    "import report": pgettext_lazy("not found", "import report"),
    "invitation": pgettext_lazy("not found", "invitation"),
    "journey": pgettext_lazy("not found", "journey"),
    "link": pgettext_lazy("not found", "link"),
    "member": pgettext_lazy("not found", "member"),
    "messenger": pgettext_lazy("not found", "messenger"),
    "organization": pgettext_lazy("not found", "organization"),
    "re-analysis": pgettext_lazy("not found", "re-analysis"),
    "rule": pgettext_lazy("not found", "alert rule"),
    "report schedule": pgettext_lazy("not found", "report schedule"),
    "response": pgettext_lazy("not found", "response"),
    "segment": pgettext_lazy("not found", "segment"),
    "stage": pgettext_lazy("not found", "stage"),
    "study": pgettext_lazy("not found", "study"),
    "survey": pgettext_lazy("not found", "survey"),
    "survey version": pgettext_lazy("not found", "survey version"),
    "task": pgettext_lazy("not found", "task"),
    "touchpoint": pgettext_lazy("not found", "touchpoint"),
    "trigger": pgettext_lazy("not found", "trigger"),
    "unit": pgettext_lazy("not found", "unit"),
    "webhook": pgettext_lazy("not found", "webhook"),
    "alert": pgettext_lazy("not found", "alert"),
    "privacy request": pgettext_lazy("not found", "data-subject request"),
    "privacy archive": pgettext_lazy("not found", "export archive"),
    "case": pgettext_lazy("not found", "case"),
    "team": pgettext_lazy("not found", "team"),
    "root cause": pgettext_lazy("not found", "root cause"),
    "recovery action": pgettext_lazy("not found", "recovery action"),
    "calendar": pgettext_lazy("not found", "calendar"),
}


class NotFound(Exception):
    """The object does not exist in the actor's organization (or at all: no difference shown)."""

    def __init__(self, what: str, key):
        self.what = what
        self.key = key
        thing = THINGS.get(what, what)
        super().__init__(_("%(what)s %(key)s not found") % {"what": thing, "key": repr(key)})
