from django.urls import re_path

from linli.open311 import views

app_name = "open311"

# Clients join the endpoint url and "/services.json" themselves; one that keeps a trailing slash
# asks for "v2//services.json", which must be answered like "v2/services.json". (In a group so that
# Django's check for a needless leading slash stays quiet: these slashes are meant.)
_START = r"^(?:/*)"
_FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(_START + r"discovery" + _FMT, views.discovery, name="discovery"),
    re_path(_START + r"services" + _FMT, views.service_list, name="services"),
    re_path(_START + r"services/(?P<service_code>[-\w]+)" + _FMT, views.service_definition, name="service"),
    re_path(_START + r"requests" + _FMT, views.requests_, name="requests"),
    re_path(_START + r"requests/(?P<service_request_id>[^/]+?)" + _FMT, views.request_detail, name="request"),
    # Last: anything else under /open311/v2/ is the specification's 404, never Django's HTML page.
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
