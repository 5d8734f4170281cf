"""The ingest settings, as settings.py parsed them from the environment (with their defaults and
what each means), and the values derived from them."""

from django.conf import settings


def get(name: str):
    return getattr(settings, name)


def max_upload_bytes() -> int:
    return int(float(get("CLIPDESK_MAX_UPLOAD_MB")) * 1024 * 1024)


def max_duration_seconds() -> float:
    return float(get("CLIPDESK_MAX_DURATION_MINUTES")) * 60


def stale_seconds() -> float:
    return float(get("CLIPDESK_INGEST_STALE_SECONDS"))


def heartbeat_seconds() -> float:
    """How often a running job's row is touched even when nothing changed: well inside the stale limit."""
    return max(0.2, min(5.0, stale_seconds() / 4))
