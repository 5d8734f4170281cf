from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "clipdesk.alerts"
    label = "alerts"
    verbose_name = "Live transcripts and alerts"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
