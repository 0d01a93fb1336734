from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "banzu.screening"
    verbose_name = "Screening"

    def ready(self) -> None:
        from banzu.screening import applicant_notes, jobs, receivers  # noqa: F401
