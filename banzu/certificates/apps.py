from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "banzu.certificates"
    verbose_name = "Certificates (证书)"

    def ready(self) -> None:
        from banzu.certificates import dashboard, jobs  # noqa: F401
