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


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, param: str = "page"):
    """A page of the queryset and the query string without `param`, for the pager links.

    A page with two lists gives the second its own `param`, so each pages on its own.
    """
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get(param))
    params = request.GET.copy()
    params.pop(param, None)
    return page, params.urlencode()
