from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "linli.stations"
    verbose_name = "党群服务站与微心愿"
