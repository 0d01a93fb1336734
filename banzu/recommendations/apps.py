from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "banzu.recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from banzu.recommendations import dashboard, jobs  # noqa: F401
