from django.urls import path

from linli.council import views

app_name = "council"
urlpatterns = [
    path("", views.home, name="home"),
    path("proposals/new/", views.proposal_new, name="proposal_new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/advance/", views.proposal_advance, name="proposal_advance"),
    path("proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
    path("proposals/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("cases/<int:case_pk>/escalate/", views.case_escalate, name="case_escalate"),
    path("ballots/new/", views.ballot_new, name="ballot_new"),
    path("ballots/<int:pk>/", views.ballot_detail, name="ballot_detail"),
    path("ballots/<int:pk>/vote/", views.ballot_vote, name="ballot_vote"),
    path("ballots/<int:pk>/paper/", views.ballot_paper, name="ballot_paper"),
    path("ballots/<int:pk>/close/", views.ballot_close, name="ballot_close"),
    path("ballots/<int:pk>/publish/", views.ballot_publish, name="ballot_publish"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/evaluate/", views.notice_evaluate, name="notice_evaluate"),
    path("notices/<int:pk>/executed/", views.notice_executed, name="notice_executed"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/<str:part>/", views.meeting_update, name="meeting_update"),
    path("series/new/", views.series_new, name="series_new"),
    path("series/<int:pk>.ics", views.series_ics, name="series_ics"),
    path("decisions/<int:pk>/progress/", views.decision_progress, name="decision_progress"),
]
