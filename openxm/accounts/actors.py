"""Who is acting: a member through the web, an API key, or a named user on the CLI.

Services take an :class:`Actor` and check permissions on it, so the web, the API and the CLI
enforce the same roles with the same code.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .models import ApiKey, Organization, User

if TYPE_CHECKING:
    from .scope import Scope
from .roles import Perm, Role, role_has


class PermissionDenied(Exception):
    """The actor's role does not allow the action. The message names the permission."""

    def __init__(self, perm: Perm):
        self.perm = perm
        super().__init__(_("Your role does not allow this (%(perm)s).") % {"perm": perm.value})


@dataclass(frozen=True)
class Actor:
    organization: Organization
    role: Role
    via: str  # web, api, cli, task
    user: User | None = None
    api_key: ApiKey | None = None
    ip_address: str | None = None
    # The unit the membership or key is limited to (with its descendants); None: everything.
    unit_id: int | None = None

    def can(self, perm: Perm) -> bool:
        return role_has(self.role, perm)

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            raise PermissionDenied(perm)

    @cached_property
    def scope(self) -> "Scope":
        """What this actor may read: see :mod:`openxm.accounts.scope`. Computed once per actor."""
        from .scope import scope_for

        return scope_for(self)

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.email
        if self.api_key is not None:
            return f"api-key:{self.api_key.prefix}"
        return self.via
