from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "clipdesk.ingest"
    label = "ingest"
    verbose_name = "Ingest"
