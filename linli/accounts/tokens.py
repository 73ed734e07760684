"""Checking bearer tokens for external API clients (issuing one is a write: `accounts.services`)."""

from linli.accounts.models import ApiToken
from linli.core import clock


def token_user(raw: str):
    token = (ApiToken.objects.select_related("user")
             .filter(digest=ApiToken.digest_of(raw), expires_at__gt=clock.now()).first())
    if token is None or not token.user.is_active:
        return None
    return token.user
