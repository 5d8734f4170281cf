from django.apps import AppConfig


class RecordingConfig(AppConfig):
    name = "clipdesk.recording"
    label = "recording"
    verbose_name = "Recording"

    def ready(self) -> None:
        from clipdesk.transcripts.export import add_document_section

        from .provenance import provenance

        # A clip's JSON (and the API) says where a clip cut from a recording came from.
        add_document_section("recording", provenance)
