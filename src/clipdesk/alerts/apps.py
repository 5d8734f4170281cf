from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "clipdesk.alerts"
    label = "alerts"
    verbose_name = "Live transcripts and alerts"
    # The tasks the actions enqueue (tasks.py imports the actions, so they are named, not imported).
    live_task = "clipdesk.alerts.tasks.transcribe_live"
    span_task = "clipdesk.alerts.tasks.retranscribe_span"

    def ready(self) -> None:
        from clipdesk.ingest import prepared
        from clipdesk.recording.signals import segment_stored

        from . import receivers, reuse

        segment_stored.connect(receivers.segment_stored, dispatch_uid="alerts.live.segment_stored")
        # Watchlists are matched, and the recordings' search fed, as lines are stored.
        receivers.connect()
        # A clip cut from a recording takes the live transcript of its span as its draft.
        prepared.register(reuse.live_transcript)
