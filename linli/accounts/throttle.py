"""Login throttling on top of django-axes: the page /login/, the admin's login and POST /api/v1/auth/token
all authenticate through `django.contrib.auth.authenticate(request, ...)`, which axes guards.

An account is locked after LINLI_LOGIN_FAILURE_LIMIT failures; an address after the larger
LINLI_LOGIN_ADDRESS_FAILURE_LIMIT, because one office or one compound's network often shares it.
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render

from linli.core import audit, clock
from linli.core.api import error
from linli.core.models import AuditEntry


class LoginThrottle(AxesDatabaseHandler):
    """Axes compares one count with one limit; this answers "the limit" as soon as either the account's
    or the address's own limit is reached, and less than it otherwise."""

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = settings.AXES_FAILURE_LIMIT
        if by_account >= limit:
            request.linli_locked_by = "account"
            return limit
        if by_address >= settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT:
            request.linli_locked_by = "address"
            return limit
        return min(by_account, limit - 1)


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = math.ceil(cooloff_seconds() / 60)
    return f"登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试。忘记密码请联系本级系统管理员。"


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets: 429 with Retry-After, as JSON for the API, else the login page."""
    message = lockout_message()
    if request.path_info.startswith("/api/"):
        response = JsonResponse(error("login_locked", message), status=429, json_dumps_params={"ensure_ascii": False})
    else:
        username = (credentials or {}).get("username") or request.POST.get("username", "")
        form = AuthenticationForm(request, initial={"username": username})
        next_url = request.POST.get("next") or request.GET.get("next", "")
        response = render(request, "accounts/login.html", {"form": form, "lockout": message, "next": next_url},
                          status=429)
    # Every attempt during a lockout starts the cool-off again (axes' default), so it is the full span.
    response["Retry-After"] = str(cooloff_seconds())
    return response


def lockout_record(request, username: str | None, ip_address: str | None) -> None:
    """One audit row per lockout window and name, however many attempts the locked caller goes on making."""
    from linli.accounts.models import User

    username = (username or "")[:150]
    shown = username or "（未填写用户名）"
    since = clock.now() - settings.AXES_COOLOFF_TIME
    if AuditEntry.objects.filter(action="login_lockout", object_type="accounts.user", object_repr=shown,
                                 at__gte=since).exists():
        return
    user = User.objects.filter(username=username).first() if username else None
    audit.record(
        actor=None, action="login_lockout", object_type="accounts.user",
        object_id=user.pk if user else "", object_repr=shown,
        changes={"ip_address": ip_address or "", "locked_by": getattr(request, "linli_locked_by", "account"),
                 "cooloff_seconds": cooloff_seconds()},
    )


def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    lockout_record(request, username, ip_address)


def connect() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="linli_login_lockout")
