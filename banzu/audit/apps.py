from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "banzu.audit"
    verbose_name = "Audit"
