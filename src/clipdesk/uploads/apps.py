from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "clipdesk.uploads"
    label = "uploads"
    verbose_name = "Resumable uploads"
