from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "banzu.audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from django.core import checks

        from banzu.audit.checks import check_audit_key

        checks.register(check_audit_key, checks.Tags.security)
