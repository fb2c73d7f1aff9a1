"""What an actor may read: one organization, optionally one unit subtree, personal data or not.

A :class:`Scope` is computed once per actor (``actor.scope``) from its membership or API key.
The one reader of responses (:mod:`openxm.surveys.door`) and the readers of the tables derived
from them (rollups, the metric cube, comment analyses) take a Scope, never a bare organization,
so a feature cannot reach rows outside it:

* ``unit_ids`` — the unit the member or key is limited to and every unit below it. Responses
  without a unit belong to the organization as a whole: only unlimited actors see them.
  ``None`` means the whole organization.
* ``pii`` — whether the role may see personal data (``pii.view``); the door redacts otherwise.
* ``bulk`` — whether the role may read in bulk (``data.export``): exports and API pages of rows.

A unit named in a filter must lie inside the scope (the unit itself or below it); anything
else is :class:`NotFound`, so a store manager asking for another store gets "not found", never
figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import NotFound
from .models import Organization, Unit
from .roles import Perm, role_has


def unit_tree(organization: Organization) -> list[tuple[int, str, int | None]]:
    """(id, code, parent id) of every unit of the organization."""
    return list(Unit.objects.for_org(organization).values_list("pk", "code", "parent_id"))


def descendants(root: int, rows: Iterable[tuple[int, str, int | None]]) -> frozenset[int]:
    """``root`` and every unit below it, from :func:`unit_tree` rows."""
    children: dict[int, list[int]] = {}
    for pk, _code, parent in rows:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found, stack = set(), [root]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return frozenset(found)


def subtree(organization: Organization, unit) -> frozenset[int]:
    """A unit (a Unit, its id or its code) and its descendants; NotFound for an unknown unit."""
    rows = unit_tree(organization)
    if isinstance(unit, Unit):
        root = unit.pk
    else:
        root = next((pk for pk, code, _p in rows if code == str(unit)), None)
        if root is None and str(unit).isdigit():
            root = next((pk for pk, _c, _p in rows if pk == int(unit)), None)
    if root is None:
        raise NotFound("unit", str(unit))
    return descendants(root, rows)


@dataclass(frozen=True)
class Scope:
    organization: Organization
    unit_ids: frozenset[int] | None = None
    unit_code: str = ""
    pii: bool = True
    bulk: bool = True

    @property
    def limited(self) -> bool:
        """True when the scope is a unit subtree rather than the whole organization."""
        return self.unit_ids is not None

    def allows_unit(self, unit_id: int | None) -> bool:
        return self.unit_ids is None or unit_id in self.unit_ids

    def units(self, unit="") -> frozenset[int] | None:
        """The unit ids a filter on ``unit`` (code, id or Unit, with its descendants) covers
        inside this scope; ``None`` when neither the filter nor the scope restricts units.

        A unit outside the scope, or unknown, raises NotFound."""
        if unit in (None, ""):
            return self.unit_ids
        ids = subtree(self.organization, unit)
        if self.unit_ids is not None and not ids <= self.unit_ids:
            raise NotFound("unit", getattr(unit, "code", unit))
        return ids

    def narrow(self, ids: Iterable[int] | None) -> frozenset[int] | None:
        """``ids`` (None: any) intersected with the scope."""
        if ids is None:
            return self.unit_ids
        ids = frozenset(ids)
        return ids if self.unit_ids is None else ids & self.unit_ids


def organization_scope(organization: Organization) -> Scope:
    """The whole organization with personal data: for system work (rollup rebuilds, the demo,
    scheduled jobs acting for the organization itself), never for a member's request."""
    return Scope(organization)


def scope_for(actor) -> Scope:
    """The scope of an :class:`~openxm.accounts.actors.Actor` (use ``actor.scope``: cached)."""
    org = actor.organization
    pii = role_has(actor.role, Perm.PII_VIEW)
    bulk = role_has(actor.role, Perm.DATA_EXPORT)
    if actor.unit_id is None:
        return Scope(org, pii=pii, bulk=bulk)
    rows = unit_tree(org)
    code = next((c for pk, c, _p in rows if pk == actor.unit_id), "")
    return Scope(org, descendants(actor.unit_id, rows), code, pii=pii, bulk=bulk)
