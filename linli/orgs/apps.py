from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "linli.orgs"
    verbose_name = "组织：党组织、自治组织与物业"
