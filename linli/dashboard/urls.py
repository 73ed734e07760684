from django.urls import path

from linli.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("indicators/", views.indicators, name="indicators"),
]
