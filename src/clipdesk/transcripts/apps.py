from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    name = "clipdesk.transcripts"
    label = "transcripts"
    verbose_name = "Transcripts"

    def ready(self) -> None:
        from clipdesk.archive.signals import published_text_proposed

        from .actions import propose_published_text

        published_text_proposed.connect(propose_published_text, dispatch_uid="clipdesk-published-text")
