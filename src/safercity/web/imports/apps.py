from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "safercity.web.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from safercity.web.audit.registry import register

        from .models import ImportJob

        register(
            ImportJob,
            ignore_fields={
                "status",
                "progress",
                "message",
                "updated_at",
                "started_at",
                "finished_at",
                "summary",
                "quarantine",
                "rows_stored",
                "rows_quarantined",
            },
        )
