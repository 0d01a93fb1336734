from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "banzu.scoring"
    verbose_name = "Scoring"
