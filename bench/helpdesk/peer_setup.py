"""Creates the benchmark's queue and staff user in the helpdesk database; prints their ids as JSON.

Run by `bench/helpdesk_peer.py` with the helpdesk virtualenv's Python and this folder on PYTHONPATH.
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from helpdesk.models import Queue  # noqa: E402


def main(username: str, password: str) -> None:
    queue = Queue.objects.create(title="物业报修", slug="bench", allow_public_submission=True,
                                 allow_email_submission=False)
    # Staff but not superuser: helpdesk's ordinary agent, who sees every queue because per-queue
    # permissions are off by default.
    user = get_user_model().objects.create_user(username, f"{username}@example.com", password, is_staff=True)
    json.dump({"queue": queue.pk, "user": user.pk}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
