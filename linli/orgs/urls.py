from django.urls import path

from linli.orgs import views

app_name = "orgs"
urlpatterns = [
    path("party/", views.partyorg_list, name="partyorg_list"),
    path("party/new/", views.partyorg_create, name="partyorg_create"),
    path("party/<int:pk>/", views.partyorg_detail, name="partyorg_detail"),
    path("party/<int:pk>/edit/", views.partyorg_edit, name="partyorg_edit"),
    path("self/", views.selforg_list, name="selforg_list"),
    path("self/new/", views.selforg_create, name="selforg_create"),
    path("self/<int:pk>/", views.selforg_detail, name="selforg_detail"),
    path("self/<int:pk>/edit/", views.selforg_edit, name="selforg_edit"),
    path("property/", views.propertycompany_list, name="propertycompany_list"),
    path("property/new/", views.propertycompany_create, name="propertycompany_create"),
    path("property/<int:pk>/", views.propertycompany_detail, name="propertycompany_detail"),
    path("property/<int:pk>/edit/", views.propertycompany_edit, name="propertycompany_edit"),
    path("property/services/new/", views.propertyservice_create, name="propertyservice_create"),
    path("property/services/<int:pk>/edit/", views.propertyservice_edit, name="propertyservice_edit"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("positions/new/", views.position_create, name="position_create"),
    path("positions/<int:pk>/end/", views.position_end, name="position_end"),
]
