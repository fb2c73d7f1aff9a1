"""Routes for the current organization: identity, members, units, API keys, audit log."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from openxm.accounts import services
from openxm.utils.csvsafe import write_csv

router = Router(tags=["organization"])


class MeOut(Schema):
    organization: str
    organization_name: str
    role: str
    unit: str = Field("", description="The unit the caller is limited to (with its sub-units); empty: all")
    via: str
    actor: str
    permissions: list[str]


class MemberOut(Schema):
    id: int
    email: str
    name: str
    role: str
    joined: str
    unit: str = Field("", description="Unit code the member is limited to (with its sub-units); empty: all")


class MemberIn(Schema):
    role: str
    unit: str = Field("", description="Unit code to limit the member to (with its sub-units); empty: all")


class UnitIn(Schema):
    code: str
    name: str
    kind: str
    parent: str = ""


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str


class ApiKeyIn(Schema):
    name: str
    role: str
    unit: str = Field("", description="Unit code to limit the key to (with its sub-units); empty: all")


class ApiKeyOut(Schema):
    id: int
    name: str
    role: str
    unit: str = ""
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str


class AuditOut(Schema):
    time: datetime
    action: str
    actor: str
    via: str
    target_type: str
    target_id: str
    data: dict


def _csv(filename: str, header, rows) -> HttpResponse:
    response = HttpResponse(write_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/me", response=MeOut, summary="Who is calling, for which organization, with which rights")
def me(request):
    actor = request.auth
    from openxm.accounts.roles import ROLE_PERMISSIONS

    return MeOut(
        organization=actor.organization.slug,
        organization_name=actor.organization.name,
        role=actor.role.value,
        unit=actor.scope.unit_code,
        via=actor.via,
        actor=actor.label,
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[actor.role]),
    )


@router.get("/members", response=list[MemberOut])
def list_members(request):
    return [MemberOut(**vars(m)) for m in services.list_members(request.auth)]


@router.put(
    "/members/{int:member_id}",
    response=MemberOut,
    summary="Set a member's role and the unit they are limited to (audited)",
)
def set_member(request, member_id: int, payload: MemberIn):
    services.change_role(request.auth, member_id, payload.role, unit=payload.unit)
    row = next(m for m in services.list_members(request.auth) if m.id == member_id)
    return MemberOut(**vars(row))


@router.get("/units", response=list[UnitOut])
def list_units(request):
    return [UnitOut(**vars(u)) for u in services.list_units(request.auth)]


@router.post("/units", response={201: UnitOut})
def create_unit(request, payload: UnitIn):
    unit = services.create_unit(request.auth, payload.code, payload.name, payload.kind, payload.parent)
    return Status(201, UnitOut(code=unit.code, name=unit.name, kind=unit.kind, parent=payload.parent))


@router.get("/units/export", summary="All units as CSV (audited)")
def export_units(request):
    header, rows = services.export_units(request.auth)
    return _csv("units.csv", header, rows)


@router.delete("/units/{code}", response={204: None})
def delete_unit(request, code: str):
    services.delete_unit(request.auth, code)
    return Status(204, None)


def _key_out(key) -> dict:
    return {
        "id": key.id,
        "name": key.name,
        "role": key.role,
        "unit": key.unit.code if key.unit_id else "",
        "prefix": key.prefix,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


@router.get("/api-keys", response=list[ApiKeyOut])
def list_api_keys(request):
    return [ApiKeyOut(**_key_out(k)) for k in services.list_api_keys(request.auth)]


@router.post("/api-keys", response={201: ApiKeyCreated}, summary="Create a key; the key is shown only here")
def create_api_key(request, payload: ApiKeyIn):
    new = services.create_api_key(request.auth, payload.name, payload.role, unit=payload.unit)
    return Status(201, ApiKeyCreated(**_key_out(new.key), key=new.plaintext))


@router.post("/api-keys/{key_id}/revoke", response=ApiKeyOut)
def revoke_api_key(request, key_id: int):
    return ApiKeyOut(**_key_out(services.revoke_api_key(request.auth, key_id)))


@router.get("/audit", response=list[AuditOut])
def list_audit(request, limit: int = Query(200, ge=1, le=1000), action: str = ""):
    return [
        AuditOut(
            time=e.created_at,
            action=e.action,
            actor=e.actor_label,
            via=e.via,
            target_type=e.target_type,
            target_id=e.target_id,
            data=e.data,
        )
        for e in services.list_audit(request.auth, limit=limit, action=action)
    ]
