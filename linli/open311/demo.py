"""The demo's Open311 key: `linli-demo-open311`, bound to the district officer `district1`."""

from django.db import transaction

from linli.core import audit
from linli.open311.models import Open311Client

DEMO_KEY = "linli-demo-open311"
DEMO_USER = "district1"


def _get(context, name, default=None):
    if isinstance(context, dict):
        return context.get(name, default)
    return getattr(context, name, default)


@transaction.atomic
def populate(context) -> int:
    """Idempotent: an existing demo key is rebound to the demo user and re-enabled, never duplicated."""
    user = (_get(context, "users", {}) or {}).get(DEMO_USER)
    if user is None:
        return 0
    client, created = Open311Client.objects.update_or_create(
        key_digest=Open311Client.digest_of(DEMO_KEY),
        defaults={"name": "演示接入平台", "user": user, "active": True},
    )
    if created:
        audit.record(actor=None, action="open311.client_issue", obj=client,
                     changes={"name": [None, client.name], "user": [None, user.pk]})
        add = _get(context, "add")
        if callable(add):
            add("Open311 接入平台", 1)
    return int(created)
