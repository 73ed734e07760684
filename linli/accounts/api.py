from ninja import Router, Schema

from linli.accounts.models import Assignment
from linli.accounts.services import token_issue
from linli.core.api import ErrorOut, error
from linli.core.errors import UNAUTHENTICATED
from linli.core.scoping import scope_for

router = Router(tags=["账号"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: str


class NodeOut(Schema):
    role: str
    role_name: str
    level: str | None
    id: int | None
    code: str | None
    name: str | None


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    everything: bool
    jurisdiction: list[NodeOut]
    resident_id: int | None
    household_id: int | None


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, summary="用户名和密码换取接口令牌")
def issue_token(request, payload: TokenIn):
    issued = token_issue(username=payload.username, password=payload.password, request=request)
    if issued is None:
        return 401, error(UNAUTHENTICATED, "用户名或密码错误")
    raw, token = issued
    return 200, {"token": raw, "expires_at": token.expires_at.isoformat()}


@router.get("/me", response=MeOut, summary="当前用户、角色与辖区")
def me(request):
    user = request.auth
    scope = scope_for(user)
    nodes = []
    for a in Assignment.objects.filter(user=user).select_related("unit", "grid", "compound"):
        node = a.node
        if a.unit_id:
            level, code = a.unit.level, a.unit.code
        elif a.grid_id:
            level, code = "grid", a.grid.code
        elif a.compound_id:
            level, code = "compound", None
        else:
            level, code = None, None
        nodes.append({"role": a.role, "role_name": a.get_role_display(), "level": level,
                      "id": node.pk if node else None, "code": code, "name": str(node) if node else None})
    return {
        "id": user.pk, "username": user.username, "display_name": str(user),
        "roles": sorted(scope.roles), "everything": scope.everything, "jurisdiction": nodes,
        "resident_id": scope.resident_ids[0] if scope.resident_ids else None,
        "household_id": scope.household_ids[0] if scope.household_ids else None,
    }
