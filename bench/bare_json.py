"""The floor for the intake benchmark: a bare Django JSON view, served by the same gunicorn.

One view (`POST /api/v1/cases`) that parses the JSON body and answers 201 with a small JSON object:
no middleware, no session, no authentication, no database. What a request through gunicorn and
Django costs when the application does nothing; `bench/cases_intake.py` prints intake's rate as a
share of it. Served as `gunicorn bare_json:application` from the bench directory.
"""

import json

from django.conf import settings

settings.configure(
    DEBUG=False, SECRET_KEY="bench-floor-only", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, MIDDLEWARE=[],
    INSTALLED_APPS=[], DATABASES={}, USE_TZ=True,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def cases(request):
    if request.method != "POST":
        return JsonResponse({"status": "ok"})
    body = json.loads(request.body)
    return JsonResponse({"id": 1, "description": body.get("description", "")[:20]}, status=201)


urlpatterns = [path("api/v1/cases", cases), path("healthz", cases)]
application = get_wsgi_application()
