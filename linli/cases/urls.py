from django.urls import path

from linli.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("mine/", views.my_cases, name="my_cases"),
    path("new/", views.case_new, name="case_new"),
    path("new/kept/<int:number>/", views.kept_photo, name="kept_photo"),
    path("intake/", views.case_intake, name="case_intake"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("places/", views.place_options, name="place_options"),
    path("figures/", views.case_figures, name="case_figures"),
    path("notifications/", views.notification_list, name="notifications"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/follow/", views.case_follow, name="case_follow"),
    path("<int:pk>/unmask/", views.case_unmask, name="case_unmask"),
    path("<int:pk>/photos/<int:photo_id>/", views.case_photo, name="case_photo"),
    path("<int:pk>/<str:action>/", views.case_action, name="case_action"),
]
