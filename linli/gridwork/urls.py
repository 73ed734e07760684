from django.urls import path

from linli.gridwork import views

app_name = "gridwork"
urlpatterns = [
    path("", views.today, name="today"),
    path("check-in/", views.check_in, name="check_in"),
    path("check-out/", views.check_out, name="check_out"),
    path("patrols/start/", views.patrol_start, name="patrol_start"),
    path("patrols/<int:pk>/", views.patrol, name="patrol"),
    path("patrols/<int:pk>/stop/", views.patrol_stop, name="patrol_stop"),
    path("patrols/<int:pk>/finding/", views.finding_record, name="finding_record"),
    path("patrols/<int:pk>/end/", views.patrol_end, name="patrol_end"),
    path("findings/<int:pk>/case/", views.finding_case, name="finding_case"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/follow-up-done/", views.follow_up_done, name="follow_up_done"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("me/", views.my_figures, name="my_figures"),
    path("team/", views.team, name="team"),
    path("tasks/", views.tasks, name="tasks"),
    path("plans/", views.plans, name="plans"),
    path("reminders/", views.overdue, name="overdue"),
    path("trainings/", views.trainings, name="trainings"),
    path("trials/", views.trials, name="trials"),
    path("roster/", views.roster, name="roster"),
    path("roster/buildings/<int:pk>/", views.roster_building, name="roster_building"),
    path("roster/<int:pk>/end/", views.roster_end, name="roster_end"),
    path("trials/<int:pk>/assess/", views.trial_assess, name="trial_assess"),
]
