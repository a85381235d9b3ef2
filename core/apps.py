from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared building blocks without models: money, periods, CSV input, exports, template filters."""

    name = "core"
    verbose_name = "Kern"
