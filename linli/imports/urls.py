from django.urls import path

from linli.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:name>/", views.register_page, name="register"),
    path("<slug:name>/template.xlsx", views.template, name="template"),
    path("<slug:name>/example.xlsx", views.example, name="example"),
    path("<slug:name>/jobs/<int:pk>/", views.job_page, name="job"),
    path("<slug:name>/jobs/<int:pk>/confirm/", views.job_action, {"action": "confirm"}, name="job_confirm"),
    path("<slug:name>/jobs/<int:pk>/cancel/", views.job_action, {"action": "cancel"}, name="job_cancel"),
    path("<slug:name>/jobs/<int:pk>/rejected.xlsx", views.job_rejected, name="job_rejected"),
]
