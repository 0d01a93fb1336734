from django.apps import AppConfig


class EditionsConfig(AppConfig):
    name = "banzu.editions"
    verbose_name = "Editions"
