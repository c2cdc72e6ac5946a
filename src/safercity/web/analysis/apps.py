from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "safercity.web.analysis"
    label = "analysis"
    verbose_name = "Crime analysis"
