"""Media assets: the video or audio behind a clip, with its checksum for provenance."""

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse

from clipdesk.archive.models import Clip


def asset_path(asset: "MediaAsset", filename: str) -> str:
    return f"clips/{asset.sha256[:2]}/{asset.sha256}/{filename}"


class MediaAsset(models.Model):
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(upload_to=asset_path, max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    mime_type = models.CharField(max_length=100)
    probed_type = models.CharField(
        max_length=100,
        blank=True,
        default="",
        editable=False,
        help_text="The type the probe found in the file when it was attached; empty when never probed. "
        "Set only by the checked paths (attach_media); the file is served inline only as this.",
    )
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    poster = models.FileField(upload_to=asset_path, max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=500, blank=True, help_text="Where the recording came from.")
    created_at = models.DateTimeField(auto_now_add=True)
    peaks = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The waveform strip's peaks (media.waveform), computed the first time the editor asks.",
    )

    class Meta:
        ordering = ["clip", "-created_at"]

    def __str__(self) -> str:
        return f"{self.clip.reference} {self.mime_type} {self.sha256[:12]}"

    # Media addresses carry a version of their content (?v=), so that browsers and caches may keep them
    # for a year (Cache-Control immutable): new content is a new address.
    def get_absolute_url(self) -> str:
        return f"{reverse('media:file', args=[self.pk])}?v={self.version('file')}"

    @property
    def poster_url(self) -> str:
        return f"{reverse('media:poster', args=[self.pk])}?v={self.version('poster')}" if self.poster else ""

    def version(self, kind: str) -> str:
        """The file's SHA-256 (the poster's stored name, which changes with it), shortened."""
        if kind == "file":
            return self.sha256[:16]
        return hashlib.sha256(self.poster.name.encode()).hexdigest()[:16]

    @property
    def is_video(self) -> bool:
        return self.mime_type.startswith("video/")
