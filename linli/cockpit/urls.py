from django.urls import path

from linli.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("compounds/<int:pk>/", views.compound, name="compound"),
    path("units/<int:pk>/map.json", views.unit_map, name="unit_map"),
    path("compounds/<int:pk>/map.json", views.compound_map, name="compound_map"),
    path("units/<int:pk>/report.<str:fmt>", views.unit_report, name="unit_report"),
    path("compounds/<int:pk>/report.<str:fmt>", views.compound_report, name="compound_report"),
]
