from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "safercity.web.strategy"
    label = "strategy"
    verbose_name = "Strategy and delivery"

    def ready(self) -> None:
        from safercity.web.audit.registry import register

        from . import models

        for model in (
            models.Partnership,
            models.Body,
            models.Strategy,
            models.Priority,
            models.Outcome,
            models.Objective,
            models.Activity,
            models.ActivityBody,
            models.Milestone,
            models.Measure,
            models.MeasureValue,
            models.ProgressUpdate,
            models.FundingSource,
            models.BudgetCommitment,
            models.Spend,
            models.Meeting,
            models.MeetingPaper,
            models.MeetingAction,
        ):
            register(model, ignore_fields={"updated_at"})
