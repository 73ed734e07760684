from django.urls import path

from linli.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("activities/<int:pk>/signup/", views.sign_up, name="sign_up"),
    path("attendances/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("attendances/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("attendances/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("attendances/<int:pk>/hours/", views.hours_confirm, name="hours_confirm"),
    path("register/", views.register, name="register"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("report/", views.report, name="report"),
]
