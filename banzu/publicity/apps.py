from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "banzu.publicity"
    verbose_name = "Publicity (公示) and objections (异议)"
