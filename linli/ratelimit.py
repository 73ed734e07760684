"""Rate limits on writes: API writes per token or user, Open311 POSTs per api_key (docs/OPERATIONS.md).

A fixed window counted in Django's cache (the `LINLI_RATELIMIT_CACHE` alias), so every gunicorn
process shares one count: the database cache by default, Redis when `LINLI_CACHE_URL` names one.
Redis increments atomically; the database cache's increment is a read and a write, so a burst spread
over several processes at the same instant may get a few requests more than the limit through.
"""

# Project level, beside navigation: it answers each door in its own error format (the API's body, Open311's
# error array), so it may use domains, which core may not.

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse

from linli.core import clock
from linli.core.api import error

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def client_ip(request) -> str:
    """The caller's address: REMOTE_ADDR, or the entry of X-Forwarded-For that the last of
    `LINLI_PROXY_COUNT` trusted reverse proxies saw (a client can prepend anything to that header)."""
    count = settings.LINLI_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")


def _digest(raw: str) -> str:
    # Keys and tokens never enter the cache in the clear.
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def hit(bucket: str, rate: tuple[int, int]) -> int:
    """Counts one request in the bucket; answers 0 if it is within the rate, else the seconds until
    the window ends."""
    limit, span = rate
    # The one clock, so a test can hold the window still instead of racing its boundary.
    now = int(clock.now().timestamp())
    start = now - now % span
    key = f"linli:rate:{bucket}:{span}:{start}"
    cache = caches[settings.LINLI_RATELIMIT_CACHE]
    if cache.add(key, 1, span + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            # Expired between add and incr: this request opens the window again.
            cache.set(key, 1, span + 5)
            count = 1
    if count <= limit:
        return 0
    return max(1, start + span - now)


def _api_caller(request) -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "token:" + _digest(header[7:].strip())
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "ip:" + client_ip(request)


def _open311_caller(request) -> str:
    key = request.POST.get("api_key") or request.headers.get("X-Api-Key") or request.GET.get("api_key")
    if key:
        return "key:" + _digest(key)
    return "ip:" + client_ip(request)


def _message(wait: int) -> str:
    return f"请求过于频繁，请 {wait} 秒后再试。"


class RateLimitMiddleware:
    """One place for every write limit, so no view needs to know about it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in WRITE_METHODS:
            path = request.path_info
            if path.startswith("/api/v1/"):
                wait = hit("api:" + _api_caller(request), settings.LINLI_API_WRITE_RATE)
                if wait:
                    return self._limited(JsonResponse(error("rate_limited", _message(wait)), status=429,
                                                      json_dumps_params={"ensure_ascii": False}), wait)
            elif path.startswith("/open311/") and request.method == "POST":
                wait = hit("open311:" + _open311_caller(request), settings.LINLI_OPEN311_POST_RATE)
                if wait:
                    from linli.open311 import render

                    fmt = "xml" if path.endswith(".xml") else "json"
                    return self._limited(render.errors(fmt, 429, [_message(wait)]), wait)
        return self.get_response(request)

    @staticmethod
    def _limited(response, wait: int):
        response["Retry-After"] = str(wait)
        return response
