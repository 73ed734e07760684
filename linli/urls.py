from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from linli import navigation
from linli.api import api
from linli.core import views as core_views

admin.site.site_header = "邻里 Linli 管理后台"
admin.site.site_title = "邻里 Linli"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers and bookmarks ask for /favicon.ico whatever the page links.
    path("favicon.ico", RedirectView.as_view(url=static("linli/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("linli.accounts.urls")),
    path("more/", navigation.more_page, name="more"),
    path("places/", include("linli.places.urls")),
    path("people/", include("linli.people.urls")),
    path("orgs/", include("linli.orgs.urls")),
    path("audit/", include("linli.core.urls")),
    path("cases/", include("linli.cases.urls")),
    path("points/", include("linli.points.urls")),
    path("stations/", include("linli.stations.urls")),
    path("volunteers/", include("linli.volunteers.urls")),
    path("council/", include("linli.council.urls")),
    path("property/", include("linli.property.urls")),
    path("open311/v2/", include("linli.open311.urls")),
    path("dashboard/", include("linli.dashboard.urls")),
    path("imports/", include("linli.imports.urls")),
    path("gridwork/", include("linli.gridwork.urls")),
    path("cockpit/", include("linli.cockpit.urls")),
    path("exports/", include("linli.exports.urls")),
]
