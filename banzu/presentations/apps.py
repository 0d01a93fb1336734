from django.apps import AppConfig


class PresentationsConfig(AppConfig):
    name = "banzu.presentations"
    verbose_name = "Presentation event"
