"""Open311 GeoReport v2 over /open311/v2/: thin handlers over selectors and services.

Every response comes as JSON or XML by the path's extension; errors are the specification's array
of {code, description} with HTTP 400 (bad input), 403 (bad or missing key), 404 (no such thing,
or no such path anywhere under /open311/v2/) or 405 (a method the path does not take).
Login sessions are not used here: the api_key alone says who is calling, so CSRF does not apply.
The key travels in the POST body or the `X-Api-Key` header, never in the URL (see `Call`).
"""

import datetime as dt
import functools
from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from linli.core import clock
from linli.core.errors import Forbidden, NotFound
from linli.core.ids import MAX_ID
from linli.core.replica import lagged_reads
from linli.open311 import definitions, render, selectors, services
from linli.open311.present import request_out

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (the discovery document's changeset).
CHANGESET = "2026-11-23T00:00:00+08:00"
MAX_SPAN = dt.timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
KEY_HEADER = "X-Api-Key"


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = list(descriptions)


class Call:
    """Who is asking (a key's client, or the public) and in which jurisdiction."""

    def __init__(self, request, fmt: str, *, key_required: bool):
        self.fmt = fmt
        if "api_key" in request.GET:
            # Refused rather than ignored: a key in a URL lands in every access log and proxy on the way,
            # and a client author who sees it silently dropped would not notice the leak.
            raise Open311Error(400, f"api_key 不能放在网址的查询参数中（会被写入访问日志）：请放在 POST 表单或 "
                                    f"{KEY_HEADER} 请求头中。已经这样发送过的密钥请视为已泄露，联系系统管理员停用并换发。")
        self.params = request.GET.copy()
        if request.method == "POST":
            self.params.update(request.POST)
        code = (self.params.get("jurisdiction_id") or "").strip()
        self.jurisdiction = None
        if code:
            self.jurisdiction = selectors.jurisdiction_get(code)
            if self.jurisdiction is None:
                raise Open311Error(404, f"未知的 jurisdiction_id：{code}（应为区县的 12 位区划代码）")
        key = _key(request)
        self.client = None
        if key or key_required:
            try:
                self.client = services.client_authenticate(key)
            except services.InvalidKey:
                raise Open311Error(403, "api_key 无效或已停用" if key else "提交诉求需要 api_key") from None
        self.actor = self.client.user if self.client else None

    @property
    def public(self) -> bool:
        return self.client is None

    def get(self, name: str) -> str:
        return (self.params.get(name) or "").strip()


def _key(request) -> str:
    header = (request.headers.get(KEY_HEADER) or "").strip()
    body = (request.POST.get("api_key") or "").strip() if request.method == "POST" else ""
    if header and body and header != body:
        raise Open311Error(400, f"{KEY_HEADER} 请求头与表单中的 api_key 不一致，请只用其中一处")
    return header or body


def endpoint(*methods, key_for=()):
    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def handler(request, fmt, **kwargs):
            if request.method not in methods:
                response = render.errors(fmt, 405, [f"此地址不接受 {request.method} 请求，可用：{'、'.join(methods)}"])
                response["Allow"] = ", ".join(methods)
                return response
            try:
                call = Call(request, fmt, key_required=request.method in key_for)
                with lagged_reads() if request.method == "GET" and call.public else nullcontext():
                    return view(request, call, **kwargs)
            except Open311Error as exc:
                return render.errors(fmt, exc.status, exc.descriptions)
            except NotFound:
                return render.errors(fmt, 404, ["未找到"])
            except Forbidden as exc:
                return render.errors(fmt, 403, [str(exc) or "无权执行此操作"])
            except ValidationError as exc:
                return render.errors(fmt, 400, _messages(exc))

        return handler

    return wrap


def _messages(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return exc.messages
    return [f"{field}：{message}" if field != "__all__" else message
            for field, messages in exc.message_dict.items() for message in messages]


@endpoint("GET")
def discovery(request, call):
    # No trailing slash: clients append "/services.json" to it, as the specification's examples do.
    root = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": call.fmt}).rsplit("/", 1)[0])
    return render.respond(call.fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": "邻里 Linli 诉求办理平台，请联系所在区的系统管理员",
        "key_service": f"提交诉求需要 api_key（放在 POST 表单或 {KEY_HEADER} 请求头中，不能放在网址里），"
                       "由区级系统管理员签发并绑定一个有辖区的工作人员账号",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": root,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    })


@endpoint("GET")
def service_list(request, call):
    return render.respond(call.fmt, "services", [definitions.service_out(c) for c in definitions.services()])


@endpoint("GET")
def service_definition(request, call, service_code):
    category = definitions.service_get(service_code)
    if category is None:
        raise Open311Error(404, f"未知的 service_code：{service_code}")
    compounds = selectors.compounds_for(actor=call.actor, jurisdiction=call.jurisdiction)
    return render.respond(call.fmt, "service_definition", definitions.definition_out(category, compounds))


@endpoint("GET", "POST", key_for=("POST",))
def requests_(request, call):
    if request.method == "POST":
        return _submit(call)
    filters = _filters(call)
    page, size = _page(call)
    qs = selectors.request_list_visible_to(actor=call.actor, filters=filters, jurisdiction=call.jurisdiction)
    notices: dict = {}
    rows = [request_out(case, public=call.public, notices=notices) for case in qs[(page - 1) * size: page * size]]
    return render.respond(call.fmt, "service_requests", rows)


def _submit(call):
    data = {key: call.params.get(key) for key in call.params}
    if not data.get("service_code"):
        raise Open311Error(400, "缺少 service_code")
    if definitions.service_get(data["service_code"]) is None:
        raise Open311Error(400, f"未知的 service_code：{data['service_code']}")
    submission = services.request_submit(client=call.client, data=data, jurisdiction=call.jurisdiction)
    case = submission.case
    # The case exists once this answers, so the id is returned and no token: the specification
    # allows one or the other, and a token is only for servers that create requests later.
    return render.respond(call.fmt, "service_requests", [{
        "service_request_id": str(case.pk),
        "service_notice": definitions.tier_notice(case.tier),
        "account_id": submission.account_id or None,
    }], status=201)


@endpoint("GET")
def request_detail(request, call, service_request_id):
    case = selectors.request_get(actor=call.actor, pk=service_request_id, jurisdiction=call.jurisdiction)
    if case is None:
        raise Open311Error(404, f"未找到诉求：{service_request_id}")
    return render.respond(call.fmt, "service_requests", [request_out(case, public=call.public, notices={})])


@csrf_exempt
def unknown(request, path):
    """Any other path (tokens/… included: no token is ever issued), in the format its extension asks for."""
    fmt = "xml" if path.endswith(".xml") else "json"
    shown = path if len(path) <= 200 else path[:200] + "…"
    return render.errors(fmt, 404, [f"没有这个地址：/open311/v2/{shown}"])


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _moment(call, name: str):
    raw = call.get(name)
    if not raw:
        return None
    moment = parse_datetime(raw.replace(" ", "+"))  # an unescaped "+" in a query string arrives as a space
    if moment is None:
        day = parse_date(raw)
        if day is not None:
            moment = dt.datetime.combine(day, dt.time.min)
    if moment is None:
        raise Open311Error(400, f"{name} 应为 W3C 日期时间，例如 2025-03-01T00:00:00+08:00")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _filters(call) -> selectors.RequestFilters:
    ids = _list(call.get("service_request_id"))
    if any(not i.isdigit() or int(i) > MAX_ID for i in ids):
        raise Open311Error(400, "service_request_id 应为以逗号分隔的诉求编号")
    statuses = _list(call.get("status"))
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status 只能是 open 或 closed（可用逗号分隔）")
    start, end = _moment(call, "start_date"), _moment(call, "end_date")
    if start is None and end is None:
        end = clock.now()
        start = end - MAX_SPAN
    elif start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if start > end:
        raise Open311Error(400, "start_date 不能晚于 end_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date 与 end_date 相隔不能超过 90 天")
    return selectors.RequestFilters(ids=tuple(int(i) for i in ids), service_codes=tuple(_list(call.get("service_code"))),
                                    statuses=tuple(statuses), start=start, end=end)


def _page(call) -> tuple[int, int]:
    try:
        page = int(call.get("page") or 1)
        size = int(call.get("page_size") or DEFAULT_PAGE_SIZE)
    except ValueError:
        raise Open311Error(400, "page 和 page_size 应为正整数") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise Open311Error(400, f"page 应不小于 1，page_size 应在 1 到 {MAX_PAGE_SIZE} 之间")
    return page, size
