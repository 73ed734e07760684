"""Helpers for page views: turn NotFound/Forbidden into 404/403, paginate lists."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404

from linli.core.errors import Forbidden, NotFound

PAGE_SIZE = 30


def page_errors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404("未找到") from None
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from None

    return wrapper


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """A page of the queryset and the query string without `page`, for the pager links."""
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()
