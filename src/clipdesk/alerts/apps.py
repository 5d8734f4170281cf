from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "clipdesk.alerts"
    label = "alerts"
    verbose_name = "Live transcripts and alerts"
