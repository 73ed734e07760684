from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "linli.volunteers"
    verbose_name = "志愿服务与双报到"
