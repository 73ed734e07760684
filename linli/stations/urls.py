from django.urls import path

from linli.stations import views

app_name = "stations"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.station_new, name="station_new"),
    path("indicators/", views.indicators, name="indicators"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/slots/", views.slot_add, name="slot_add"),
    path("<int:pk>/slots/<int:slot_pk>/remove/", views.slot_remove, name="slot_remove"),
    path("<int:pk>/staff/", views.staff_add, name="staff_add"),
    path("<int:pk>/services/", views.service_add, name="service_add"),
    path("<int:pk>/services/<int:item_pk>/toggle/", views.service_toggle, name="service_toggle"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:pk>/evidence/<int:evidence_pk>/photo/", views.evidence_photo, name="evidence_photo"),
    path("<int:pk>/inspect/", views.inspect, name="inspect"),
    path("wishes/", views.wishes, name="wishes"),
    path("wishes/new/", views.wish_new, name="wish_new"),
    path("wishes/<int:pk>/", views.wish_detail, name="wish_detail"),
    path("wishes/<int:pk>/claim/", views.wish_claim, name="wish_claim"),
    path("wishes/<int:pk>/fulfil/", views.wish_fulfil, name="wish_fulfil"),
    path("wishes/<int:pk>/confirm/", views.wish_confirm, name="wish_confirm"),
    path("wishes/<int:pk>/withdraw/", views.wish_withdraw, name="wish_withdraw"),
    path("wishes/<int:pk>/photos/<int:photo_pk>/", views.wish_photo, name="wish_photo"),
    path("needs/", views.needs, name="needs"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("needs/<int:pk>/dispatch/", views.need_dispatch, name="need_dispatch"),
    path("needs/<int:pk>/accept/", views.need_accept, name="need_accept"),
    path("needs/<int:pk>/decline/", views.need_decline, name="need_decline"),
    path("needs/<int:pk>/done/", views.need_done, name="need_done"),
    path("needs/<int:pk>/rate/", views.need_rate, name="need_rate"),
    path("resources/", views.resources, name="resources"),
    path("resources/new/", views.resource_new, name="resource_new"),
]
