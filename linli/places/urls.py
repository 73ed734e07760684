from django.urls import path

from linli.places import views

app_name = "places"
urlpatterns = [
    path("compounds/", views.compound_list, name="compound_list"),
    path("compounds/new/", views.compound_create, name="compound_create"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound_detail"),
    path("compounds/<int:pk>/edit/", views.compound_edit, name="compound_edit"),
    path("compounds/<int:compound_pk>/buildings/new/", views.building_create, name="building_create"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("buildings/<int:pk>/edit/", views.building_edit, name="building_edit"),
    path("buildings/<int:building_pk>/entrances/new/", views.entrance_create, name="entrance_create"),
    path("entrances/<int:pk>/edit/", views.entrance_edit, name="entrance_edit"),
    path("entrances/<int:entrance_pk>/dwellings/new/", views.dwelling_create, name="dwelling_create"),
    path("dwellings/<int:pk>/edit/", views.dwelling_edit, name="dwelling_edit"),
    path("grids/", views.grid_list, name="grid_list"),
    path("grids/new/", views.grid_create, name="grid_create"),
    path("grids/<int:pk>/", views.grid_detail, name="grid_detail"),
    path("grids/<int:pk>/edit/", views.grid_edit, name="grid_edit"),
    path("grids/<int:grid_pk>/micro-grids/new/", views.micro_grid_create, name="micro_grid_create"),
    path("micro-grids/<int:pk>/edit/", views.micro_grid_edit, name="micro_grid_edit"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("pick/dwellings/", views.pick_dwellings, name="pick_dwellings"),
    path("pick/entrances/", views.pick_entrances, name="pick_entrances"),
    path("pick/compounds/", views.pick_compounds, name="pick_compounds"),
    path("pick/grids/", views.pick_grids, name="pick_grids"),
]
