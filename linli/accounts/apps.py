from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    verbose_name = "账号与辖区"

    def ready(self):
        from linli.accounts import throttle

        throttle.connect()

        # Core builds no Scope itself (it may not import a domain): accounts provides the builder.
        from linli.accounts.scope import PROVIDER
        from linli.core.scoping import provide

        provide(PROVIDER)
