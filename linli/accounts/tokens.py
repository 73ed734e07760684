"""Issuing and checking bearer tokens for external API clients."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import authenticate

from linli.accounts.models import ApiToken
from linli.core import audit, clock


def token_issue(*, username: str, password: str, request=None) -> tuple[str, ApiToken] | None:
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    raw = "lk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(raw),
        expires_at=clock.now() + dt.timedelta(days=settings.LINLI_TOKEN_DAYS),
    )
    audit.record(actor=user, action="token_issue", obj=token, object_repr=f"{user.username} 的接口令牌")
    return raw, token


def token_user(raw: str):
    token = (ApiToken.objects.select_related("user")
             .filter(digest=ApiToken.digest_of(raw), expires_at__gt=clock.now()).first())
    if token is None or not token.user.is_active:
        return None
    return token.user
