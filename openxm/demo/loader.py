"""Loads the demo organization step by step.

Each feature contributes a step with :func:`demo_step`; steps run in ``order`` and receive the
shared :class:`DemoContext` (the organization, its people and anything earlier steps made).
Steps must be idempotent: running the demo twice leaves one copy of everything.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from openxm import dbstats


@dataclass
class DemoContext:
    password: str
    organization: object = None
    users: dict = field(default_factory=dict)  # role or name -> User
    extra: dict = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.log.append(line)


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    run: Callable[[DemoContext], None]


_STEPS: dict[str, DemoStep] = {}


def demo_step(name: str, order: int):
    def decorator(func: Callable[[DemoContext], None]):
        _STEPS[name] = DemoStep(name, order, func)
        return func

    return decorator


def steps() -> list[DemoStep]:
    # Importing the modules registers their steps; later features add their module here.
    from . import (
        alerts,  # noqa: F401
        cases,  # noqa: F401
        collection,  # noqa: F401
        comments,  # noqa: F401
        company,  # noqa: F401
        customers,  # noqa: F401
        employees,  # noqa: F401
        journeys,  # noqa: F401
        library,  # noqa: F401
        plans,  # noqa: F401
        privacy,  # noqa: F401
        studies,  # noqa: F401
    )

    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))


def load_demo(password: str) -> DemoContext:
    ctx = DemoContext(password=password)
    for step in steps():
        with transaction.atomic():
            step.run(ctx)
    dbstats.refresh()  # the planner's statistics of the loaded tables (see openxm.dbstats)
    return ctx
