from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "banzu.review"
    verbose_name = "Expert review"

    def ready(self) -> None:
        from banzu.review import dashboard, receivers  # noqa: F401  (connect their receivers)
