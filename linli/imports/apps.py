from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "linli.imports"
    verbose_name = "数据导入"
