from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "safercity.web.consult"
    label = "consult"
    verbose_name = "Consultation and the public face"

    def ready(self) -> None:
        from safercity.web.audit.registry import register

        from . import models

        for model in (
            models.Consultation,
            models.ConsultationPriority,
            models.FreeTextQuestion,
            models.Theme,
            models.PublicMeeting,
            models.YouSaidWeDid,
            models.DashboardPublication,
        ):
            register(model, ignore_fields={"updated_at"})
        # a response and its free text are a person's answers: every view is logged, and a
        # change row shows only the review fields' values
        register(
            models.Response,
            personal=True,
            ignore_fields={"updated_at"},
            shown_values={"status", "verified"},
        )
        register(
            models.FreeTextAnswer,
            personal=True,
            ignore_fields={"updated_at"},
            shown_values={"moderation", "quote"},
        )
