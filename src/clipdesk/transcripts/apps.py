from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "clipdesk.transcripts"
    label = "transcripts"
    verbose_name = "Transcripts"
