from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def media_changed(sender, instance, **kwargs) -> None:
    """Media attached to, changed on or taken from a public clip: its page shows the player and poster."""
    from clipdesk import caching
    from clipdesk.archive.invalidation import PUBLIC, clip_tag

    clip = instance.clip
    if clip.status in PUBLIC:
        caching.invalidate(clip_tag(clip.number))  # and every card of it, which shows the poster


class MediaConfig(AppConfig):
    name = "clipdesk.media"
    label = "media"
    verbose_name = "Media"

    def ready(self) -> None:
        post_save.connect(media_changed, sender="media.MediaAsset", dispatch_uid="cache-media-saved")
        post_delete.connect(media_changed, sender="media.MediaAsset", dispatch_uid="cache-media-deleted")
