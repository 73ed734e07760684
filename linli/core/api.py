"""The conventions every operation of /api/v1/ shares: one error body, its handlers, its declaration.

Handlers raise (`NotFound`, `Forbidden`, `Refused`, Django's `ValidationError`) and never build an
error answer themselves; `LinliAPI` turns each into `ErrorOut` with its status, and declares in the
OpenAPI document the statuses every operation may answer, so each router only declares the 200/201
it returns. See docs/ARCHITECTURE.md, "Errors".
"""

import logging
from typing import Any

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import InterfaceError
from django.db import OperationalError as DatabaseUnavailable
from django.http import Http404, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.openapi.schema import REF_TEMPLATE, NinjaGenerateJsonSchema

from linli.core.errors import (
    FORBIDDEN,
    INVALID,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNAVAILABLE,
    Forbidden,
    NotFound,
    Refused,
)

logger = logging.getLogger(__name__)
PREFIX = "/api/v1/"


class ErrorOut(Schema):
    """The body of every error answer of /api/v1/."""

    code: str
    detail: str
    field: str | None = None
    errors: dict[str, list[str]] | list[dict[str, Any]] | None = None


def error(code: str, detail: str, *, field: str | None = None, errors=None) -> dict:
    return {"code": code, "detail": detail, "field": field, "errors": errors}


def model_errors(exc: ModelValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# Declared for an operation when it can answer it (see `_declare`); 405 belongs to a path, not to an
# operation, so it is documented in docs/ARCHITECTURE.md rather than here.
STATUSES = {
    400: "请求有误（规则不允许或数据校验未通过），未写入任何数据",
    401: "未登录或令牌无效",
    403: "无权执行此操作",
    404: "未找到（不存在或不在辖区内）",
    409: "与已有数据冲突（重复提交、已办结或请求编号已用于另一笔业务）",
    422: "请求参数不符合接口定义",
    429: "请求过于频繁，请按 Retry-After 稍后重试",
    503: "服务暂时不可用，请按 Retry-After 稍后重试",
}
WRITES = {"post", "put", "patch", "delete"}


def _declare(path: str, method: str, operation: dict) -> set[int]:
    statuses = {503}
    if operation.get("security"):
        statuses |= {401, 403}
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if "{" in path:
        statuses.add(404)
    if method in WRITES:
        statuses |= {400, 429}
    if path.endswith("/auth/token"):
        statuses.add(429)
    return statuses


class LinliAPI(NinjaAPI):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for exc_class, handler in self._handlers().items():
            self.add_exception_handler(exc_class, handler)

    def error_response(self, request, status: int, body: dict):
        return self.create_response(request, body, status=status)

    def _handlers(self) -> dict:
        def refused(request, exc: Refused):
            return self.error_response(request, exc.status, error(exc.code, exc.message, field=exc.field))

        def not_found(request, exc):
            return self.error_response(request, 404, error(NOT_FOUND, "未找到"))

        def forbidden(request, exc):
            return self.error_response(request, 403, error(FORBIDDEN, str(exc) or "无权执行此操作"))

        def unauthenticated(request, exc):
            return self.error_response(request, 401, error(UNAUTHENTICATED, "未登录或令牌无效"))

        def invalid_input(request, exc: ValidationError):
            if exc.errors and all(e.get("loc", ("",))[0] == "path" for e in exc.errors):
                # `/cases/abc` names no case: the same 404 as a path with an `int:` converter that does
                # not match, rather than a 422 that reads as if a case `abc` could exist.
                return not_found(request, exc)
            return self.error_response(request, 422, error(INVALID, "请求参数有误", errors=exc.errors))

        def invalid_data(request, exc: ModelValidationError):
            errors = model_errors(exc)
            detail = "；".join(m for msgs in errors.values() for m in msgs)
            return self.error_response(request, 400, error(INVALID, detail, errors=errors))

        def database_down(request, exc):
            # The database is restarting or unreachable: nothing was written (the transaction did not
            # commit), and the client may send the same request again shortly.
            logger.warning("database unavailable: %s", exc)
            response = self.error_response(
                request, 503, error(UNAVAILABLE, "服务暂时不可用（数据库连接中断），请稍后重试。"))
            response["Retry-After"] = "5"
            return response

        return {Refused: refused, NotFound: not_found, Http404: not_found, Forbidden: forbidden,
                AuthenticationError: unauthenticated, ValidationError: invalid_input,
                ModelValidationError: invalid_data, DatabaseUnavailable: database_down,
                InterfaceError: database_down}

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization")
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path, methods in schema.get("paths", {}).items():
            for method, operation in methods.items():
                responses = operation.setdefault("responses", {})
                declared = {int(s) for s in responses if str(s).isdigit()}
                for status in sorted(_declare(path, method, operation) | (declared & set(STATUSES))):
                    responses[status] = {"description": STATUSES[status], "content": body}
        return schema


class ApiErrorsMiddleware:
    """Under /api/v1/, the 404 of a path no operation matches (`/cases/abc`) and the 405 of a method an
    operation does not take answer the API's JSON body, not Django's HTML page or ninja's plain text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path_info.startswith(PREFIX) or response.get("Content-Type", "").startswith(
                "application/json"):
            return response
        if response.status_code == 404:
            return JsonResponse(error(NOT_FOUND, "未找到"), status=404)
        if response.status_code == 405:
            answer = JsonResponse(error(METHOD_NOT_ALLOWED, f"不支持 {request.method} 方法。"), status=405)
            answer["Allow"] = response.get("Allow", "")
            return answer
        return response
