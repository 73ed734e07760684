from django.apps import AppConfig


class PropertyConfig(AppConfig):
    name = "linli.property"
    verbose_name = "物业：覆盖、信托账户、公共收益与星级评定"
