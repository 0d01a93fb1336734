from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "banzu.certificates"
    verbose_name = "Certificates (证书)"
