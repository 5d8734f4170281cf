"""Resumable uploads (the tus protocol): a file arriving in parts, assembled in the media storage.

The row is the source of truth for how much has arrived (`offset`): a part is written first and the
offset moved after, under the row's lock, so a part written twice or half is never counted. An
upload nobody has added to for CLIPDESK_UPLOAD_EXPIRY_HOURS is deleted (tasks.delete_expired_uploads).
"""

import uuid

from django.conf import settings
from django.db import models


class UploadQuerySet(models.QuerySet):
    def expired(self, now) -> "UploadQuerySet":
        return self.filter(expires_at__lt=now)


class Upload(models.Model):
    # Unguessable: the id is the upload's URL, and only its owner may use it anyway.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    length = models.BigIntegerField(help_text="Upload-Length: the whole file's size in bytes.")
    offset = models.BigIntegerField(default=0, help_text="Bytes received and stored so far.")
    metadata = models.JSONField(default=dict, blank=True, help_text="Upload-Metadata, decoded.")
    filename = models.CharField(max_length=255, blank=True)
    # Seconds, as the container declared it once enough had arrived to read its header.
    declared_duration = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"upload {self.id} ({self.filename or 'unnamed'}, {self.offset} of {self.length} bytes)"

    @property
    def is_complete(self) -> bool:
        return self.offset == self.length
