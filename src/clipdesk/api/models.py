"""API tokens for staff tools. Only a hash of each token is stored; the token itself is shown once."""

import hashlib

from django.conf import settings
from django.db import models


def token_hash(raw: str) -> str:
    """SHA-256 of a token. Tokens are long random strings, so a fast hash is enough: nothing to guess."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def matching(self, raw: str) -> "ApiTokenQuerySet":
        """The active user's token whose hash is that of `raw` (none or one)."""
        return self.filter(key_hash=token_hash(raw), user__is_active=True).select_related("user")


class ApiToken(models.Model):
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token {self.pk} of {self.user}"
