from django.apps import AppConfig


class GridworkConfig(AppConfig):
    name = "linli.gridwork"
    verbose_name = "网格工作"
