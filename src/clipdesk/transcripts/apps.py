from django.apps import AppConfig
from django.db.models.signals import post_save


def speaker_changed(sender, instance, **kwargs) -> None:
    """A voice of a public clip saved (said to be a person, say, or moved there by a merge of people):
    the clip's page names it and links the person, whose pages list the clip."""
    from clipdesk import caching
    from clipdesk.archive.invalidation import PUBLIC, clip_tag

    clip = instance.clip
    if clip.status in PUBLIC:
        tags = [clip_tag(clip.number), "search"]
        if instance.person_id:
            tags += [f"person-{instance.person_id}", f"person-{instance.person_id}-list"]
        caching.invalidate(tags)


class TranscriptsConfig(AppConfig):
    name = "clipdesk.transcripts"
    label = "transcripts"
    verbose_name = "Transcripts"

    def ready(self) -> None:
        from clipdesk.archive.signals import published_text_proposed

        from .actions import propose_published_text

        published_text_proposed.connect(propose_published_text, dispatch_uid="clipdesk-published-text")
        post_save.connect(speaker_changed, sender="transcripts.Speaker", dispatch_uid="cache-speaker-saved")
