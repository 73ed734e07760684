"""The JSON API under /api/v1/: one NinjaAPI, each domain adds its router."""

from ninja.security import APIKeyCookie, HttpBearer

from linli.accounts.tokens import token_user
from linli.core.api import LinliAPI


class BearerAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session, with CSRF checked for unsafe methods."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None


api = LinliAPI(
    title="邻里 Linli API",
    version="1",
    description="小区治理：人·地·组织·事。认证：`POST /api/v1/auth/token` 取得令牌后使用 `Authorization: Bearer <token>`。",
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api",
)


def _register_routers():
    from linli.accounts.api import router as accounts_router
    from linli.cases.api import router as cases_router
    from linli.council.api import router as council_router
    from linli.dashboard.api import router as dashboard_router
    from linli.exports.api import router as exports_router
    from linli.gridwork.api import router as gridwork_router
    from linli.orgs.api import router as orgs_router
    from linli.people.api import router as people_router
    from linli.places.api import router as places_router
    from linli.points.api import router as points_router
    from linli.property.api import router as property_router
    from linli.stations.api import router as stations_router
    from linli.volunteers.api import router as volunteers_router

    # First: `/residents/export` must be matched before `/residents/{resident_id}`.
    api.add_router("", exports_router)
    api.add_router("", accounts_router)
    api.add_router("", places_router)
    api.add_router("", people_router)
    api.add_router("", orgs_router)
    api.add_router("", cases_router)
    api.add_router("", dashboard_router)
    api.add_router("", points_router)
    api.add_router("", council_router)
    api.add_router("", property_router)
    api.add_router("", gridwork_router)
    api.add_router("", stations_router)
    api.add_router("", volunteers_router)


_register_routers()
