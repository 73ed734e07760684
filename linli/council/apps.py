from django.apps import AppConfig


class CouncilConfig(AppConfig):
    name = "linli.council"
    verbose_name = "议事：提议、协商、表决与公示"
