from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "banzu.ops"
    verbose_name = "Operations"
