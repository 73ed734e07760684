from django.urls import path

from linli.people import views

app_name = "people"
urlpatterns = [
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/unmask/", views.resident_unmask, name="resident_unmask"),
    path("residents/<int:pk>/sensitive-tags/", views.resident_sensitive_tags, name="resident_sensitive_tags"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("party-members/", views.partymember_list, name="partymember_list"),
    path("party-members/new/", views.partymember_create, name="partymember_create"),
    path("party-members/<int:pk>/", views.partymember_detail, name="partymember_detail"),
    path("party-members/<int:pk>/edit/", views.partymember_edit, name="partymember_edit"),
    path("grid-workers/", views.gridworker_list, name="gridworker_list"),
    path("grid-workers/new/", views.gridworker_create, name="gridworker_create"),
    path("grid-workers/<int:pk>/", views.gridworker_detail, name="gridworker_detail"),
    path("grid-workers/<int:pk>/edit/", views.gridworker_edit, name="gridworker_edit"),
    path("pick/residents/", views.pick_residents, name="pick_residents"),
    path("pick/households/", views.pick_households, name="pick_households"),
]
