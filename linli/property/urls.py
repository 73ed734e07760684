from django.urls import path

from linli.property import views

app_name = "property"
urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my, name="my"),
    path("coverage/", views.coverage, name="coverage"),
    path("areas/", views.areas, name="areas"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/entries/", views.entry_create, name="entry_create"),
    path("accounts/<int:pk>/close/", views.month_close, name="month_close"),
    path("accounts/<int:pk>/statement.xlsx", views.account_xlsx, name="account_xlsx"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("entries/<int:pk>/invoice/", views.entry_invoice, name="entry_invoice"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>.xlsx", views.statement_xlsx, name="statement_xlsx"),
    path("resources/", views.resources, name="resources"),
    path("resources/<int:pk>/contracts/", views.contract_create, name="contract_create"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/<int:pk>/review/", views.review, name="review"),
    path("ratings/<int:pk>/survey/", views.survey, name="survey"),
    path("funding/", views.funding, name="funding"),
    path("funding/budgets/<int:pk>/party-building/", views.party_building, name="party_building"),
    path("funding/grants/<int:pk>/disburse/", views.disburse, name="disburse"),
]
