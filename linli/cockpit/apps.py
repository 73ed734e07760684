from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "linli.cockpit"
    verbose_name = "驾驶舱：指标、趋势、图表与地图"
