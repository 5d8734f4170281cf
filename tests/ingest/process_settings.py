"""Settings for the `clipdesk` processes the ingest tests start: the site's own settings, with the
ingest timings those tests shorten read from the environment as settings.py reads every other knob."""

import os

from clipdesk.settings import *  # noqa: F403  the site's settings, unchanged

CLIPDESK_INGEST_STALE_SECONDS = float(os.environ.get("CLIPDESK_INGEST_STALE_SECONDS", "120"))
CLIPDESK_INGEST_RETRY_SECONDS = float(os.environ.get("CLIPDESK_INGEST_RETRY_SECONDS", "30"))
