from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "banzu.results"
    verbose_name = "Results, publicity and certificates"
