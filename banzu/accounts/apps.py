from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "banzu.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from banzu.accounts import checks, registration, signals  # noqa: F401
