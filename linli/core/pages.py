"""Helpers for page views: turn NotFound/Forbidden into 404/403, paginate lists, run a service for a form."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404

from linli.core.errors import Forbidden, NotFound, Refused

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


def refusal_text(exc) -> str:
    """The Chinese sentence(s) of a service's refusal or of a model's validation, for the page."""
    if isinstance(exc, Refused):
        return exc.message
    if hasattr(exc, "message_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


def act(request, work, success):
    """Run a service call for a page: its refusal becomes the page's error message (None returned), its
    success the page's success message (`success` a sentence, or a function of the result). Returns the
    result, or True for a service that returns nothing."""
    try:
        result = work()
    except (Refused, ValidationError) as exc:
        messages.error(request, refusal_text(exc))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result or True
