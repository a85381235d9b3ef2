from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared building blocks without models: money, periods, CSV input, exports, template filters."""

    name = "core"
    verbose_name = "Kern"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session_clock

        # The session's idle and absolute limits count from the login.
        user_logged_in.connect(start_session_clock, dispatch_uid="core.start_session_clock")
