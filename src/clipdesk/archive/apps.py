from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "clipdesk.archive"
    label = "archive"
    verbose_name = "Archive"
