from django.urls import path

from linli.exports import views

app_name = "exports"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("jobs/<uuid:pk>/", views.job_row, name="job_row"),
    path("jobs/<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("jobs/<uuid:pk>/download/", views.download, name="download"),
    path("<slug:key>/", views.export, name="export"),
]
