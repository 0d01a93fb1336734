from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "banzu.demo"
    verbose_name = "Demo data"
