from django.apps import AppConfig


class RecordingConfig(AppConfig):
    name = "clipdesk.recording"
    label = "recording"
    verbose_name = "Recording"
