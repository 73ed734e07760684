from django.urls import path

from linli.points import views

app_name = "points"
urlpatterns = [
    path("", views.my_points, name="my_points"),
    path("statement.xlsx", views.my_statement_xlsx, name="my_statement_xlsx"),
    path("claim/", views.claim, name="claim"),
    path("shop/", views.shop, name="shop"),
    path("shop/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("redemptions/", views.my_redemptions, name="my_redemptions"),
    path("redemptions/<int:pk>/", views.redemption_detail, name="redemption_detail"),
    path("redemptions/<int:pk>/cancel/", views.redemption_cancel, name="redemption_cancel"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/award/", views.award, name="award"),
    path("staff/approve/", views.approve_list, name="approve"),
    path("staff/awards/<int:pk>/<str:decision>/", views.award_decide, name="award_decide"),
    path("staff/stock/", views.stock, name="stock"),
    path("staff/goods/new/", views.goods_create, name="goods_create"),
    path("staff/goods/<int:pk>/", views.goods_edit, name="goods_edit"),
    path("staff/windows/new/", views.window_create, name="window_create"),
    path("staff/rules/", views.rules, name="rules"),
    path("staff/rules/new/", views.rule_create, name="rule_create"),
    path("staff/rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("staff/pickups/", views.pickups, name="pickups"),
    path("staff/redemptions/<int:pk>/pickup/", views.pickup, name="pickup"),
    path("staff/residents/<int:pk>/", views.resident_statement, name="resident_statement"),
    path("reports/", views.reports, name="reports"),
    path("reports/<str:kind>/", views.reports, name="report"),
]
