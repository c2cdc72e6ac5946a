from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "safercity.web.reports"
    label = "reports"
    verbose_name = "Strategic Assessment reports"

    def ready(self) -> None:
        from safercity.web.audit.registry import register

        from .models import AssessmentReport

        # The request is audited (create, and a delete if ever); the job's own progress is not.
        register(
            AssessmentReport,
            ignore_fields={
                "status",
                "progress",
                "message",
                "error",
                "summary",
                "started_at",
                "finished_at",
                "updated_at",
            },
        )
