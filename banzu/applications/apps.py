from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "banzu.applications"
    verbose_name = "Applications"
