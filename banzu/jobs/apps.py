from django.apps import AppConfig


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "banzu.jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # The machine registers its move names with the audit registry when it is built.
        from banzu.jobs import housekeeping, workflow  # noqa: F401
