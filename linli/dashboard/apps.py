from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "linli.dashboard"
    verbose_name = "指标看板"
