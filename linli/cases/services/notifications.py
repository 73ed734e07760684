"""Notices to people: stored in-app at once, e-mailed by a task after commit, and marked read."""

from django.db import transaction

from linli.cases.models import Notification
from linli.core import clock


def notify(users, text: str, link: str = "") -> list[Notification]:
    """Stored in-app now; e-mailed by a task once the transaction has committed."""
    return notify_many([(users, text, link)])


def notify_many(messages) -> list[Notification]:
    """Several (users, text, link) notices in one INSERT and one e-mail task."""
    rows = []
    for users, text, link in messages:
        seen = set()
        for user in users:
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            rows.append(Notification(user=user, text=text[:300], link=link, created_at=clock.now()))
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None and n.user.email]
    if ids:
        from linli.cases.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.enqueue(notification_ids=ids))
    return created


@transaction.atomic
def notifications_mark_read(*, actor, ids=None) -> int:
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=clock.now())
