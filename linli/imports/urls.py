from django.urls import path

from linli.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:name>/", views.register_page, name="register"),
    path("<slug:name>/template.xlsx", views.template, name="template"),
    path("<slug:name>/example.xlsx", views.example, name="example"),
]
