"""Roles and what each may do: the single source for views, API, CLI and docs/roles.md.

Pure data, no Django import, so the docs test and the permission checks read the same table.
"""

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    ANALYST = "analyst"
    AGENT = "agent"
    VIEWER = "viewer"


class Perm(StrEnum):
    ORG_MANAGE = "org.manage"
    MEMBERS_MANAGE = "members.manage"
    APIKEYS_MANAGE = "apikeys.manage"
    AUDIT_VIEW = "audit.view"
    UNITS_MANAGE = "units.manage"
    SURVEYS_DESIGN = "surveys.design"
    SURVEYS_DISTRIBUTE = "surveys.distribute"
    DASHBOARDS_VIEW = "dashboards.view"
    RESPONSES_VIEW = "responses.view"
    RESPONSES_WRITE = "responses.write"
    PII_VIEW = "pii.view"
    DATA_EXPORT = "data.export"
    DATA_DELETE = "data.delete"
    TEXT_CONFIGURE = "text.configure"
    CASES_WORK = "cases.work"
    ALERTS_MANAGE = "alerts.manage"
    PRIVACY_MANAGE = "privacy.manage"
    PLANS_MANAGE = "plans.manage"


PERM_DESCRIPTIONS: dict[Perm, str] = {
    Perm.ORG_MANAGE: "Rename the organization, change its settings",
    Perm.MEMBERS_MANAGE: "Invite members, change roles, remove members",
    Perm.APIKEYS_MANAGE: "Create and revoke API keys",
    Perm.AUDIT_VIEW: "Read and export the audit log",
    Perm.UNITS_MANAGE: "Create and edit the organization's units (regions, stores, teams)",
    Perm.SURVEYS_DESIGN: "Create, edit, publish and close surveys",
    Perm.SURVEYS_DISTRIBUTE: "Send invitations and manage distribution channels",
    Perm.DASHBOARDS_VIEW: "See dashboards, journey maps and aggregated figures",
    Perm.RESPONSES_VIEW: "Open individual responses",
    Perm.RESPONSES_WRITE: "Submit and import responses, tag them",
    Perm.PII_VIEW: "See contact details and unredacted comments",
    Perm.DATA_EXPORT: "Export data (CSV, XLSX, SPSS, Parquet, API bulk reads)",
    Perm.DATA_DELETE: "Delete or anonymise responses and contacts",
    Perm.TEXT_CONFIGURE: "Edit taxonomies, train classifiers, re-analyse text",
    Perm.CASES_WORK: "Work cases: assign, reply, close the loop",
    Perm.ALERTS_MANAGE: "Create alert rules and webhooks, back-test them, send test messages",
    Perm.PRIVACY_MANAGE: "Run data-subject requests (export, erase), retention policies, key rotation",
    Perm.PLANS_MANAGE: "Create and change action plans and their tasks",
}

_ALL = frozenset(Perm)

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.OWNER: _ALL,
    Role.ADMIN: _ALL - {Perm.ORG_MANAGE},
    Role.ANALYST: frozenset(
        {
            Perm.SURVEYS_DESIGN,
            Perm.SURVEYS_DISTRIBUTE,
            Perm.DASHBOARDS_VIEW,
            Perm.RESPONSES_VIEW,
            Perm.RESPONSES_WRITE,
            Perm.DATA_EXPORT,
            Perm.TEXT_CONFIGURE,
            Perm.ALERTS_MANAGE,
            Perm.PLANS_MANAGE,
        }
    ),
    Role.AGENT: frozenset({Perm.DASHBOARDS_VIEW, Perm.RESPONSES_VIEW, Perm.PII_VIEW, Perm.CASES_WORK}),
    Role.VIEWER: frozenset({Perm.DASHBOARDS_VIEW}),
}

# A role may grant (to a member or an API key) only roles at or below its own rank.
ROLE_RANK: dict[Role, int] = {Role.OWNER: 5, Role.ADMIN: 4, Role.ANALYST: 3, Role.AGENT: 2, Role.VIEWER: 1}


def role_has(role: Role | str, perm: Perm | str) -> bool:
    return Perm(perm) in ROLE_PERMISSIONS[Role(role)]


def can_grant(granter: Role | str, role: Role | str) -> bool:
    return ROLE_RANK[Role(granter)] >= ROLE_RANK[Role(role)]


def permission_table_markdown() -> str:
    """The roles table of docs/roles.md, generated from ROLE_PERMISSIONS."""
    roles = list(Role)
    lines = [
        "| permission | what it allows | " + " | ".join(r.value for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for perm in Perm:
        marks = " | ".join("✓" if perm in ROLE_PERMISSIONS[r] else "" for r in roles)
        lines.append(f"| `{perm.value}` | {PERM_DESCRIPTIONS[perm]} | {marks} |")
    return "\n".join(lines)
