from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "banzu.review"
    verbose_name = "Expert review"
