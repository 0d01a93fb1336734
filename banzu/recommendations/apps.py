from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "banzu.recommendations"
    verbose_name = "Recommendations"
