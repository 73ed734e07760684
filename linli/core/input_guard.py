"""Input no handler can make sense of is refused here, once, before any view parses it.

- NUL characters: PostgreSQL text cannot hold them (psycopg refuses the whole statement), so a string
  with one crashed the request wherever it was written or searched; no person types one.
- JSON nested deeper than any request of ours: Python's parser recurses once per level and a few
  thousand brackets ended in RecursionError. The depth is counted on the raw bytes, before parsing.

Both answer 400 in the caller's own shape: the API's error body, Open311's error array, a page's text.
"""

import json
import re

from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

# The deepest request body the API takes is a few levels (a scheme's criteria, a ballot's cost shares).
MAX_JSON_DEPTH = 32

NUL_MESSAGE = "请求中含有不允许的空字符（\\x00），请删除后重试。"
DEPTH_MESSAGE = f"请求体的 JSON 嵌套过深（超过 {MAX_JSON_DEPTH} 层）。"

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the brackets in `body` (outside strings) nest deeper than `limit`, without parsing it."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _NOT_BRACKET.sub(b"", _STRING.sub(b"", body)):
        if bracket in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _form_has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def problem(request) -> str | None:
    """Why the request is refused, or None."""
    if "\x00" in request.path_info or _form_has_nul(request.GET):
        return NUL_MESSAGE
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type.startswith(("multipart/", "application/x-www-form-urlencoded")):
        # Files stream to their handlers untouched; the form fields are what views read as text.
        try:
            return NUL_MESSAGE if _form_has_nul(request.POST) else None
        except MultiPartParserError:
            return None  # a broken form: the view answers it as it always has
    # Every other body is JSON to the handlers that read one (some parse it whatever the type says).
    body = request.body
    if not body:
        return None
    if json_too_deep(body):
        return DEPTH_MESSAGE
    if b"\x00" in body:
        return NUL_MESSAGE
    if b"\\u0000" not in body:
        return None
    try:
        return NUL_MESSAGE if _has_nul(json.loads(body)) else None
    except (ValueError, UnicodeDecodeError):
        return None  # not JSON: the handler answers that in its own words


def _refusal(request, message: str) -> HttpResponse:
    path = request.path_info
    if path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    if path.startswith("/open311/"):
        return JsonResponse([{"code": 400, "description": message}], status=400, safe=False)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        message = problem(request)
        if message is not None:
            return _refusal(request, message)
        return self.get_response(request)
