"""Named actions on API tokens."""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from .models import ApiToken, token_hash

PREFIX = "cdk_"  # makes a leaked token recognisable in logs and secret scanners
USE_RECORDED_EVERY = dt.timedelta(minutes=1)


@transaction.atomic
def create_token(user) -> tuple[ApiToken, str]:
    """A new token for `user`: the stored row and the token itself, which is not kept anywhere."""
    raw = PREFIX + secrets.token_urlsafe(32)
    return ApiToken.objects.create(user=user, key_hash=token_hash(raw)), raw


def record_use(token: ApiToken) -> None:
    """Note when a token was last used, at most once a minute so that reads do not turn into writes."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= USE_RECORDED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
