"""Background work for cases: e-mail goes out from the worker, never inside a request."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def email_notifications(notification_ids: list[int]) -> int:
    from linli.cases.models import Notification

    sent = 0
    for note in Notification.objects.filter(pk__in=notification_ids).select_related("user"):
        if not note.user.email:
            continue
        body = note.text
        if note.link:
            body += f"\n\n{getattr(settings, 'LINLI_SITE_URL', '').rstrip('/')}{note.link}"
        send_mail(f"【邻里】{note.text[:40]}", body, settings.DEFAULT_FROM_EMAIL, [note.user.email])
        sent += 1
    return sent
