from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safercity.web.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from . import signals

        signals.connect()
