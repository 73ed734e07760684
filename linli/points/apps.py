from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "linli.points"
    verbose_name = "积分：积分制、时间银行与积分超市"
