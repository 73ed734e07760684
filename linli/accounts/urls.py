from django.urls import path

from linli.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LinliLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
]
