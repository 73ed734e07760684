from django.conf import settings


def linli(request):
    return {"LINLI_DEBUG": settings.DEBUG}
