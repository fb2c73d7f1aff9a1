"""Insights settings and page helpers: segment attributes, filter choices, rollup status.

Changing the segment attributes re-segments every response of the organization (a rollup
rebuild inside the request), so it needs ``org.manage``.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from openxm.accounts import audit
from openxm.accounts import services as accounts
from openxm.accounts.actors import Actor
from openxm.accounts.errors import InvalidInput
from openxm.accounts.roles import Perm
from openxm.analytics.rfm import TIER_NAMES
from openxm.customers import segments as contact_segments
from openxm.customers import tiers
from openxm.journeys import services as journeys
from openxm.surveys.collect import CHANNELS

from . import rollups, segments
from .models import AnswerCount, MetricCube
from .params import GRAINS, PERIODS
from .query import known_segment_keys

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_SEGMENT_ATTRIBUTES = 4


@dataclass(frozen=True)
class FilterOptions:
    periods: list
    grains: list
    journeys: list  # (key, name)
    touchpoints: list  # (key, name, journey key)
    channels: list
    units: list  # (code, name, kind)
    segments: list  # (attribute, [values])
    saved_segments: list = ()  # (key, name) of the saved customer segments
    value_tiers: list = ()  # (RFM tier, its label)


def filter_options(actor: Actor) -> FilterOptions:
    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    directory = journeys.touchpoint_directory(org)
    values: dict[str, set] = {name: set() for name in rollups.segment_attributes(org)}
    for key in known_segment_keys(org):
        for name, value in segments.parse_key(key).items():
            if name in values and value:
                values[name].add(value)
    return FilterOptions(
        periods=[(k, str(v)) for k, v in PERIODS.items()],
        grains=[(k, str(v)) for k, v in GRAINS.items()],
        journeys=[(j.key, j.name) for j in journeys.list_journeys(actor)],
        touchpoints=[(t.key, t.name, t.journey_key) for t in directory.values()],
        channels=list(CHANNELS),
        units=[
            (u.code, u.name, u.kind)
            for u in sorted(accounts.list_units(actor), key=lambda u: (u.kind, u.code))
        ],
        segments=[(name, sorted(vs)) for name, vs in values.items()],
        saved_segments=contact_segments.choices(actor.scope),
        value_tiers=[(t, tiers.tier_label(t)) for t in TIER_NAMES],
    )


def segment_settings(actor: Actor) -> list[str]:
    actor.require(Perm.DASHBOARDS_VIEW)
    return rollups.segment_attributes(actor.organization)


def configure_segments(actor: Actor, attributes) -> rollups.RebuildResult:
    """Set the contact attributes responses are segmented by (at most four) and re-segment."""
    actor.require(Perm.ORG_MANAGE)
    if isinstance(attributes, str):
        attributes = [a.strip() for a in attributes.replace(",", " ").split()]
    clean = []
    for name in attributes or []:
        if not _NAME.match(str(name)):
            raise InvalidInput("attributes", _("%(name)s is not an attribute name") % {"name": name})
        if name not in clean:
            clean.append(str(name))
    if len(clean) > MAX_SEGMENT_ATTRIBUTES:
        raise InvalidInput("attributes", _("at most %(n)s attributes") % {"n": MAX_SEGMENT_ATTRIBUTES})
    result = rollups.set_segment_attributes(actor.organization, clean)
    audit.record(
        actor,
        "rollups.segmented",
        target_type="rollups",
        data={"attributes": clean, "responses": result.responses},
    )
    return result


@dataclass(frozen=True)
class RollupStatus:
    segment_attributes: list[str]
    answer_rows: int
    cube_rows: int
    segment_keys: int


def rollup_status(actor: Actor) -> RollupStatus:
    actor.require(Perm.DASHBOARDS_VIEW)
    org = actor.organization
    return RollupStatus(
        rollups.segment_attributes(org),
        AnswerCount.objects.for_org(org).count(),
        MetricCube.objects.for_org(org).count(),
        len(known_segment_keys(org)),
    )
