from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safercity.web.core"
    label = "core"
    verbose_name = "SaferCity core"
