"""Every write on accounts, atomic and audited (the API and pages call these, never the models)."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest

from linli.accounts.models import ApiToken
from linli.core import audit, clock


def token_issue(*, username: str, password: str, request=None) -> tuple[str, ApiToken] | None:
    """A bearer token for an external client, or None for a wrong login.

    The raw token is handed out only once its row and audit entry are committed: durable, so no caller
    can wrap it in a transaction that later rolls back and leaves a client holding a token that never
    existed, or an issued token with no audit trail.
    """
    if request is None:
        # A caller without a request (a command, a test): the login throttle still needs one to count on.
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    raw = "lk_" + secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            user=user, digest=ApiToken.digest_of(raw),
            expires_at=clock.now() + dt.timedelta(days=settings.LINLI_TOKEN_DAYS),
        )
        audit.record(actor=user, action="token_issue", obj=token, object_repr=f"{user.username} 的接口令牌")
    return raw, token
