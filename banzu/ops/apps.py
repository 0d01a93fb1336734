from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "banzu.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from banzu.audit import actions

        actions.register("ops.backup", "ops.backup_failed", "ops.restore")
