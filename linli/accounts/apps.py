from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    verbose_name = "账号与辖区"

    def ready(self):
        from linli.accounts import throttle

        throttle.connect()
