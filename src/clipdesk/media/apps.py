from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "clipdesk.media"
    label = "media"
    verbose_name = "Media"
