from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "linli.exports"
    verbose_name = "数据导出"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from linli.exports import specs

        specs.build()
