from django.apps import AppConfig


class PresentationsConfig(AppConfig):
    name = "banzu.presentations"
    verbose_name = "Presentation event"

    def ready(self) -> None:
        from banzu.presentations import changes, dashboard  # noqa: F401  (connects its receiver)

        changes.connect()
