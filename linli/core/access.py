"""Detail access, the same for pages, API and admin: out of sight is 404, read-only is 403."""

from django.db.models import Model, QuerySet

from linli.core.errors import Forbidden, NotFound
from linli.core.scoping import Scope, visible


def get_visible(source: type[Model] | QuerySet, scope: Scope, pk) -> Model:
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    try:
        return visible(queryset, scope).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def require(condition: bool, message: str = "无权执行此操作") -> None:
    if not condition:
        raise Forbidden(message)
