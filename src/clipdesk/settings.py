"""Settings for clipdesk, read from environment variables with safe local defaults.

Every variable is documented in README.md ("Settings"); a test keeps the two in step.
Production (CLIPDESK_ENV=production) refuses to start without the values it must not guess.
Each value is parsed here, once: a mistyped one stops the start with ImproperlyConfigured naming the
variable and the form it takes, rather than failing the first request that reads it. Code reads
`settings.NAME` and repeats no default.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clipdesk import parsers

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_parsed(name: str, default: str, parse, expected: str):
    """The variable parsed by `parse`; ImproperlyConfigured naming it and `expected` when it fails."""
    value = env(name, default)
    try:
        return parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} {expected}, not {value!r}.") from None


def env_int(name: str, default: str) -> int:
    return env_parsed(name, default, int, "must be a whole number")


def env_float(name: str, default: str) -> float:
    return env_parsed(name, default, float, "must be a number")


def env_rate(name: str, default: str) -> str:
    """A rate limit, "N/unit" (units s, m, h, d), kept as written: django-ratelimit reads that form."""
    env_parsed(name, default, parsers.rate, "looks like 10/h (a count per s, m, h or d)")
    return env(name, default).strip()


CLIPDESK_ENV = env("CLIPDESK_ENV", "development")
PRODUCTION = CLIPDESK_ENV == "production"
if CLIPDESK_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"CLIPDESK_ENV must be 'development' or 'production', not {CLIPDESK_ENV!r}.")

VAR_DIR = Path(env("CLIPDESK_VAR_DIR", str(Path.cwd() / "var"))).resolve()

SECRET_KEY = env("CLIPDESK_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "CLIPDESK_ENV=production needs CLIPDESK_SECRET_KEY (a long random string)."
        )
    SECRET_KEY = "clipdesk-development-only-not-secret"

DEBUG = env_bool("CLIPDESK_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "CLIPDESK_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "CLIPDESK_ENV=production needs CLIPDESK_ALLOWED_HOSTS (comma-separated host names)."
    )

CLIPDESK_BASE_URL = env("CLIPDESK_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
if PRODUCTION and not CLIPDESK_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        "CLIPDESK_ENV=production needs CLIPDESK_BASE_URL, an absolute URL like https://clips.example.org."
    )

CLIPDESK_SITE_NAME = env("CLIPDESK_SITE_NAME", "clipdesk")
CLIPDESK_PUBLISHER = env("CLIPDESK_PUBLISHER", CLIPDESK_SITE_NAME)
CLIPDESK_FIRST_NUMBER = env_int("CLIPDESK_FIRST_NUMBER", "1")
CLIPDESK_PAGE_SIZE = env_int("CLIPDESK_PAGE_SIZE", "20")
CLIPDESK_CONTACT_EMAIL = env("CLIPDESK_CONTACT_EMAIL", "desk@example.org")

# The JSON API: requests per window from one IP address without a token ("60/m"; units s, m, h, d).
CLIPDESK_API_RATE_LIMIT = env_rate("CLIPDESK_API_RATE_LIMIT", "60/m")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "csp",
    "ninja",  # /api/docs: Swagger UI's template and static files, served by us ('self'), never from a CDN
    "huey.contrib.djhuey",
    "clipdesk.caching",
    "clipdesk.archive",
    "clipdesk.transcripts",
    "clipdesk.media",
    "clipdesk.search",
    "clipdesk.subscriptions",
    "clipdesk.inquiries",
    "clipdesk.donations",
    "clipdesk.api",
    "clipdesk.operations",
    "clipdesk.ingest",
    "clipdesk.uploads",
    "clipdesk.recording",
    "clipdesk.alerts",
    "clipdesk.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "clipdesk.operations.middleware.AsyncStreamingMiddleware",  # first: it sees every streamed file
    "clipdesk.operations.proxies.TrustedProxyMiddleware",
    "clipdesk.operations.middleware.HeadAsGetMiddleware",  # before anything that reads the method
    "clipdesk.operations.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session: a cached public page is answered without reading a session or a user.
    "clipdesk.caching.middleware.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clipdesk.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clipdesk.urls"
WSGI_APPLICATION = "clipdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clipdesk.archive.context_processors.site",
                "clipdesk.caching.context_processors.page",
            ],
        },
    },
]

# SQLite in WAL mode with IMMEDIATE transactions: the web server and the worker both write,
# and without these a second writer fails at once with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "timeout": 20,
}
DATABASE_URL = env("DATABASE_URL")
if PRODUCTION and not DATABASE_URL:
    raise ImproperlyConfigured(
        "CLIPDESK_ENV=production needs DATABASE_URL, e.g. postgres://user@db/clipdesk or sqlite:////srv/clipdesk/db.sqlite3."
    )
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the default database lives here; nothing else is created
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "clipdesk.sqlite3"}}
# A connection is kept CLIPDESK_DB_CONN_MAX_AGE seconds (0: one per request) and checked before it is
# reused, so that one a database restart broke is replaced rather than failing a request. Opening one
# for every request cost SQLite pages about half their throughput under load (bench/load_bench.py).
CLIPDESK_DB_CONN_MAX_AGE = env_int("CLIPDESK_DB_CONN_MAX_AGE", "600")
DATABASES["default"].update(CONN_MAX_AGE=CLIPDESK_DB_CONN_MAX_AGE, CONN_HEALTH_CHECKS=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer fails the request (503) within seconds instead of holding it;
    # DATABASE_URL's own ?connect_timeout= wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env("CLIPDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("CLIPDESK_MEDIA_ROOT", str(VAR_DIR / "media")))


def media_storage(kind: str) -> dict:
    """The default storage: media files on this machine's disk, or in an S3-compatible bucket.

    Every media code path goes through the storage API, so either holds the same files by the same
    names. S3 credentials left unset fall back to boto3's own chain (an instance or task role).
    """
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),  # checked by clipdesk.E050
                "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
                "region_name": env("AWS_S3_REGION_NAME") or None,
                "addressing_style": env("AWS_S3_ADDRESSING_STYLE") or None,  # "path": most self-hosted
                "access_key": env("AWS_ACCESS_KEY_ID") or None,
                "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
                # Never overwrite: two assets of the same bytes would share one object, and deleting
                # one (a rolled-back attach) would take the other's file. Names get a suffix instead.
                "file_overwrite": False,
                # A file opened through the storage spills to a temporary file past this size
                # instead of holding a whole recording in memory (the default has no limit).
                "max_memory_size": 16 * 1024 * 1024,
            },
        }
    raise ImproperlyConfigured(f"CLIPDESK_MEDIA_STORAGE must be 'filesystem' or 's3', not {kind!r}.")


CLIPDESK_MEDIA_STORAGE = env("CLIPDESK_MEDIA_STORAGE", "filesystem")
STORAGES = {
    "default": media_storage(CLIPDESK_MEDIA_STORAGE),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/staff/work/"

# Staff sign-in: django-axes locks an account from an address after repeated failures.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("CLIPDESK_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = env_float("CLIPDESK_LOGIN_LOCKOUT_HOURS", "1")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
OTP_TOTP_ISSUER = CLIPDESK_SITE_NAME

# Security headers. The Content-Security-Policy is strict from the first page on:
# no inline scripts or styles anywhere, JavaScript only as static files.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("CLIPDESK_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("CLIPDESK_SSL_REDIRECT", True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Mail: the console in development, SMTP in production (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
# EMAIL_HOST_PASSWORD, EMAIL_USE_TLS from the environment). Links in mail use CLIPDESK_BASE_URL.
EMAIL_BACKEND = env(
    "CLIPDESK_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("CLIPDESK_FROM_EMAIL", CLIPDESK_CONTACT_EMAIL)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", "25")
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30

# Search: a backend by dotted path, or (empty) chosen by the database: PostgreSQL full text on
# PostgreSQL, the embedded tantivy index under CLIPDESK_SEARCH_DIR otherwise.
CLIPDESK_SEARCH_BACKEND = env("CLIPDESK_SEARCH_BACKEND")
CLIPDESK_SEARCH_DIR = Path(env("CLIPDESK_SEARCH_DIR") or VAR_DIR / "search")
# Searching the recordings (staff only): PostgreSQL full text on the live lines' table when the database
# is PostgreSQL, weekly tantivy indexes under CLIPDESK_LIVE_SEARCH_DIR otherwise (README "Live transcripts and alerts").
CLIPDESK_LIVE_SEARCH_BACKEND = env("CLIPDESK_LIVE_SEARCH_BACKEND")
CLIPDESK_LIVE_SEARCH_DIR = Path(env("CLIPDESK_LIVE_SEARCH_DIR") or VAR_DIR / "live-search")
# /metrics answers staff, and anyone sending "Authorization: Bearer <this token>" (empty: staff only).
CLIPDESK_METRICS_TOKEN = env("CLIPDESK_METRICS_TOKEN")

# Subscriptions and digests.
CLIPDESK_DIGEST_HOUR = env_parsed("CLIPDESK_DIGEST_HOUR", "6", parsers.hour, "must be an hour from 0 to 23")
CLIPDESK_DIGEST_WEEKDAY = env("CLIPDESK_DIGEST_WEEKDAY", "monday")
env_parsed("CLIPDESK_DIGEST_WEEKDAY", "monday", parsers.weekday, "must be a day of the week such as monday")
CLIPDESK_CONFIRM_MAX_AGE = env_int("CLIPDESK_CONFIRM_MAX_AGE", str(3 * 24 * 3600))
CLIPDESK_SUBSCRIBE_IP_LIMIT = env_rate("CLIPDESK_SUBSCRIBE_IP_LIMIT", "20/h")
CLIPDESK_SUBSCRIBE_ADDRESS_LIMIT = env_rate("CLIPDESK_SUBSCRIBE_ADDRESS_LIMIT", "5/d")
CLIPDESK_MAIL_MAX_ATTEMPTS = env_int("CLIPDESK_MAIL_MAX_ATTEMPTS", "10")
CLIPDESK_OUTBOX_LEASE_SECONDS = env_int("CLIPDESK_OUTBOX_LEASE_SECONDS", "600")
# Saved searches are matched through this interface (see subscriptions/matching.py).
CLIPDESK_SAVED_SEARCH_BACKEND = env(
    "CLIPDESK_SAVED_SEARCH_BACKEND", "clipdesk.search.services.IndexedSavedSearch"
)

# Public forms' rate limits, "N/unit" (units s, m, h, d), counted in the shared cache by
# clipdesk.ratelimits on django-ratelimit. The cache keys carry the form's scope and a keyed hash.
CLIPDESK_REQUEST_IP_LIMIT = env_rate("CLIPDESK_REQUEST_IP_LIMIT", "10/h")
CLIPDESK_REQUEST_ADDRESS_LIMIT = env_rate("CLIPDESK_REQUEST_ADDRESS_LIMIT", "5/d")
CLIPDESK_REPORT_IP_LIMIT = env_rate("CLIPDESK_REPORT_IP_LIMIT", "30/h")
CLIPDESK_DONATE_IP_LIMIT = env_rate("CLIPDESK_DONATE_IP_LIMIT", "10/h")
CLIPDESK_DONATE_ADDRESS_LIMIT = env_rate("CLIPDESK_DONATE_ADDRESS_LIMIT", "5/d")
RATELIMIT_CACHE_PREFIX = "clipdesk:ratelimit:"
RATELIMIT_HASH_ALGORITHM = "clipdesk.ratelimits.ScopedDigest"

# Donations: the payment provider by dotted path. The offline one moves no money (demo, development).
CLIPDESK_PAYMENT_PROVIDER = env(
    "CLIPDESK_PAYMENT_PROVIDER",
    "clipdesk.donations.providers.stripe_checkout.StripeCheckout"
    if PRODUCTION
    else "clipdesk.donations.providers.offline.OfflineProvider",
)
CLIPDESK_STRIPE_SECRET_KEY = env("CLIPDESK_STRIPE_SECRET_KEY")
CLIPDESK_STRIPE_WEBHOOK_SECRET = env("CLIPDESK_STRIPE_WEBHOOK_SECRET")
if (
    PRODUCTION
    and CLIPDESK_PAYMENT_PROVIDER.endswith(".StripeCheckout")
    and not (CLIPDESK_STRIPE_SECRET_KEY and CLIPDESK_STRIPE_WEBHOOK_SECRET)
):
    raise ImproperlyConfigured(
        "The Stripe payment provider needs CLIPDESK_STRIPE_SECRET_KEY and CLIPDESK_STRIPE_WEBHOOK_SECRET."
    )
CLIPDESK_DONATION_CURRENCIES = env_list("CLIPDESK_DONATION_CURRENCIES", "usd,eur,gbp")
CLIPDESK_DONATION_AMOUNTS = env_list("CLIPDESK_DONATION_AMOUNTS", "10,25,50,100")
if not all(parsers.DIGITS.fullmatch(amount) for amount in CLIPDESK_DONATION_AMOUNTS):
    raise ImproperlyConfigured(
        f"CLIPDESK_DONATION_AMOUNTS must be whole numbers, e.g. 10,25,50,100, not {env('CLIPDESK_DONATION_AMOUNTS')!r}."
    )
CLIPDESK_FEED_ITEMS = env_int("CLIPDESK_FEED_ITEMS", "50")

# The cache is shared by every process (rate limits depend on it): a database table by default,
# Redis when REDIS_URL is set. `clipdesk migrate` creates the table.
REDIS_URL = env("REDIS_URL")
# "pages" holds the page cache: rendered public pages (they expire) and the versions of their tags (they
# do not; README "Caching"). A table of its own, so that rate-limit counts never push versions out.
CLIPDESK_PAGE_CACHE = env_parsed("CLIPDESK_PAGE_CACHE", "on", parsers.switch, "must be on or off")
CLIPDESK_PAGE_CACHE_SECONDS = env_int("CLIPDESK_PAGE_CACHE_SECONDS", "86400")
CLIPDESK_PAGE_CACHE_ENTRIES = env_int("CLIPDESK_PAGE_CACHE_ENTRIES", "100000")
# Each process keeps the pages it served lately, up to this many megabytes, in front of the shared store
# (each still checked against its tags' versions there on every request); 0 keeps none.
CLIPDESK_PAGE_CACHE_LOCAL_MB = env_int("CLIPDESK_PAGE_CACHE_LOCAL_MB", "64")
# A page is stored only if its tags last changed this long before it began to render: the clocks of the
# machines that change and render pages may differ by this much.
CLIPDESK_PAGE_CACHE_SKEW_MS = env_int("CLIPDESK_PAGE_CACHE_SKEW_MS", "1000")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "clipdesk-pages",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clipdesk_cache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "clipdesk_page_cache",
            "OPTIONS": {"MAX_ENTRIES": CLIPDESK_PAGE_CACHE_ENTRIES},
        },
    }

# HTTP caching of public responses for anonymous readers: max-age per kind, stale-while-revalidate, and
# the s-maxage a purged cache in front (CLIPDESK_PURGER) may keep them. Signed-in users: private, no-store.
CLIPDESK_CACHE_MAX_AGE = {
    "page": env_int("CLIPDESK_CACHE_MAX_AGE_PAGE", "60"),
    "search": env_int("CLIPDESK_CACHE_MAX_AGE_SEARCH", "60"),
    "feed": env_int("CLIPDESK_CACHE_MAX_AGE_FEED", "300"),
    "download": env_int("CLIPDESK_CACHE_MAX_AGE_DOWNLOAD", "300"),
    "api": env_int("CLIPDESK_CACHE_MAX_AGE_API", "60"),
    "media": env_int("CLIPDESK_CACHE_MAX_AGE_MEDIA", str(365 * 24 * 3600)),
}
CLIPDESK_CACHE_STALE_SECONDS = env_int("CLIPDESK_CACHE_STALE_SECONDS", "60")
CLIPDESK_CACHE_SHARED_MAX_AGE = env_int("CLIPDESK_CACHE_SHARED_MAX_AGE", "86400")
# The cache in front, purged by surrogate key after each change (dotted path; none by default).
CLIPDESK_PURGER = env("CLIPDESK_PURGER")
CLIPDESK_VARNISH_URLS = env_list("CLIPDESK_VARNISH_URLS")
CLIPDESK_PURGE_TIMEOUT = env_float("CLIPDESK_PURGE_TIMEOUT", "5")

# Personal data: how long each kind is kept before the nightly purge anonymises it (or deletes it,
# where nothing anonymous is worth keeping). src/clipdesk/privacy/__init__.py and docs/privacy.md list
# every field. Receipts: set the years the law of your country requires donation records to be kept.
CLIPDESK_RETAIN_REQUESTS_MONTHS = env_int("CLIPDESK_RETAIN_REQUESTS_MONTHS", "24")
CLIPDESK_RETAIN_RECEIPTS_YEARS = env_int("CLIPDESK_RETAIN_RECEIPTS_YEARS", "10")
CLIPDESK_RETAIN_UNPAID_DONATIONS_DAYS = env_int("CLIPDESK_RETAIN_UNPAID_DONATIONS_DAYS", "90")
CLIPDESK_RETAIN_UNCONFIRMED_DAYS = env_int("CLIPDESK_RETAIN_UNCONFIRMED_DAYS", "30")
CLIPDESK_RETAIN_LAPSED_SUBSCRIBERS_DAYS = env_int("CLIPDESK_RETAIN_LAPSED_SUBSCRIBERS_DAYS", "90")
CLIPDESK_RETAIN_LOGIN_LOGS_DAYS = env_int("CLIPDESK_RETAIN_LOGIN_LOGS_DAYS", "90")

# `clipdesk serve`: gunicorn's address and worker processes ((2 x cores) + 1 unless set).
CLIPDESK_BIND = env("CLIPDESK_BIND", "127.0.0.1:8000")
CLIPDESK_WEB_WORKERS = env_int("CLIPDESK_WEB_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
# asgi (the default): an asyncio worker that reads request bodies without tying up a process or a
# thread, so slow clients cannot starve the site; gthread and sync remain for comparison (README "Serving").
CLIPDESK_WEB_WORKER_CLASS = env("CLIPDESK_WEB_WORKER_CLASS", "asgi")
if CLIPDESK_WEB_WORKER_CLASS not in {"asgi", "gthread", "sync"}:
    raise ImproperlyConfigured(
        f"CLIPDESK_WEB_WORKER_CLASS must be asgi, gthread or sync, not {CLIPDESK_WEB_WORKER_CLASS!r}."
    )
CLIPDESK_WEB_THREADS = env_int("CLIPDESK_WEB_THREADS", "4")  # per worker, for gthread
# A request body that stops arriving for this long is answered 408 (asgi workers).
CLIPDESK_REQUEST_BODY_TIMEOUT = env_float("CLIPDESK_REQUEST_BODY_TIMEOUT", "30")

# Behind a reverse proxy, X-Forwarded-For and X-Forwarded-Proto are believed only from these addresses.
CLIPDESK_TRUSTED_PROXIES = env_list("CLIPDESK_TRUSTED_PROXIES")

# Background jobs: Huey with SQLite storage under var/ by default, Redis when REDIS_URL is set.
# Tasks receive ids and are enqueued after the transaction commits (see each app's tasks.py).
# Each `clipdesk worker` records a heartbeat this often; /healthz reports workers silent for three beats.
CLIPDESK_WORKER_HEARTBEAT_SECONDS = env_float("CLIPDESK_WORKER_HEARTBEAT_SECONDS", "30")
HUEY = {
    "name": env("CLIPDESK_HUEY_NAME", "clipdesk"),
    "immediate": False,  # djhuey would default this to DEBUG; jobs always go through the queue
    "consumer": {"workers": env_int("CLIPDESK_WORKER_THREADS", "2"), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the queue's file lives here, whatever the database
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# Ingest: the speech model, upload limits, and how jobs retry and are reaped (README "Ingest").
CLIPDESK_WHISPER_MODEL_DIR = env("CLIPDESK_WHISPER_MODEL_DIR") or None  # None: bundled Whisper base, verified
CLIPDESK_WHISPER_DEVICE = env("CLIPDESK_WHISPER_DEVICE", "auto")
CLIPDESK_WHISPER_COMPUTE_TYPE = env("CLIPDESK_WHISPER_COMPUTE_TYPE", "default")
CLIPDESK_TRANSLATION_MODEL_DIR = env("CLIPDESK_TRANSLATION_MODEL_DIR") or None
CLIPDESK_DEFAULT_TRANSLATE = env("CLIPDESK_DEFAULT_TRANSLATE", "whisper")
if CLIPDESK_DEFAULT_TRANSLATE not in {"whisper", "ctranslate2", "none"}:
    raise ImproperlyConfigured("CLIPDESK_DEFAULT_TRANSLATE must be whisper, ctranslate2 or none.")
CLIPDESK_MAX_UPLOAD_MB = env_float("CLIPDESK_MAX_UPLOAD_MB", "2048")
CLIPDESK_MAX_DURATION_MINUTES = env_float("CLIPDESK_MAX_DURATION_MINUTES", "180")
# A resumable upload nobody has added to for this long is deleted, with what it had received.
CLIPDESK_UPLOAD_EXPIRY_HOURS = env_float("CLIPDESK_UPLOAD_EXPIRY_HOURS", "24")
CLIPDESK_INGEST_ATTEMPTS = env_int("CLIPDESK_INGEST_ATTEMPTS", "3")
# A running job whose heartbeat is older than this was abandoned (its worker was killed); a queued
# job that is due this long and missing from the queue was lost by it.
CLIPDESK_INGEST_STALE_SECONDS = env_float("CLIPDESK_INGEST_STALE_SECONDS", "120")
# First delay before a transient failure is retried; it doubles with each attempt (at most an hour).
CLIPDESK_INGEST_RETRY_SECONDS = env_float("CLIPDESK_INGEST_RETRY_SECONDS", "30")
# `clipdesk ingest --wait` runs the job itself when no worker has taken it after this long.
CLIPDESK_INGEST_WORKER_WAIT_SECONDS = env_float("CLIPDESK_INGEST_WORKER_WAIT_SECONDS", "5")
# A job whose identified language (or a stretch of speech of 3 s or more) has a lower probability is
# flagged on its page. Whisper base gives clean single-language speech 0.9 and more.
CLIPDESK_LANGUAGE_MIN_PROBABILITY = env_float("CLIPDESK_LANGUAGE_MIN_PROBABILITY", "0.9")
# The editor highlights a machine word the speech model gave a lower probability than this, for checking.
CLIPDESK_WORD_MIN_PROBABILITY = env_float("CLIPDESK_WORD_MIN_PROBABILITY", "0.5")

# `clipdesk repair` runs these repairers (dotted paths) in order; unset, those each app's AppConfig lists.
CLIPDESK_REPAIRERS = env_list("CLIPDESK_REPAIRERS") or None

# Recording (README "Recording"): segment length, when a silent stream counts as stalled, how long a
# recorder's lease on a channel lasts without a heartbeat, how long recordings are kept, and the free
# space under which the oldest recordings go first (clip sources never).
CLIPDESK_RECORDING_SEGMENT_SECONDS = float(env("CLIPDESK_RECORDING_SEGMENT_SECONDS", "6"))
CLIPDESK_RECORDING_STALL_SECONDS = float(env("CLIPDESK_RECORDING_STALL_SECONDS", "10"))
CLIPDESK_RECORDING_LEASE_SECONDS = float(env("CLIPDESK_RECORDING_LEASE_SECONDS", "30"))
CLIPDESK_RECORDING_MAX_BACKOFF_SECONDS = float(env("CLIPDESK_RECORDING_MAX_BACKOFF_SECONDS", "60"))
CLIPDESK_RECORDING_RETENTION_DAYS = int(env("CLIPDESK_RECORDING_RETENTION_DAYS", "30"))
CLIPDESK_RECORDING_MIN_FREE_GB = float(env("CLIPDESK_RECORDING_MIN_FREE_GB", "20"))

# Live transcripts (README "Live transcripts and alerts"): a channel's new air is transcribed in
# windows of at least WINDOW seconds (at most MAX_WINDOW when it is behind), the next starting a
# little (OVERLAP) before the last one's final line ended; one job takes the due windows of up to
# BATCH_CHANNELS channels and decodes them in shared batches. A window that fails ATTEMPTS times is
# marked "not transcribed". A lag over LAG_ALERT seconds is an incident: logged and mailed to the
# admins once. Lines older than RETENTION_DAYS are dropped (whole partitions on PostgreSQL), and
# partitions are made PARTITION_DAYS ahead. The live model (default: the ingest one) may be smaller
# than the model a clip is transcribed again with.
CLIPDESK_LIVE_WINDOW_SECONDS = env_float("CLIPDESK_LIVE_WINDOW_SECONDS", "20")
CLIPDESK_LIVE_MAX_WINDOW_SECONDS = env_float("CLIPDESK_LIVE_MAX_WINDOW_SECONDS", "120")
CLIPDESK_LIVE_OVERLAP_SECONDS = env_float("CLIPDESK_LIVE_OVERLAP_SECONDS", "1")
CLIPDESK_LIVE_BATCH_CHANNELS = env_int("CLIPDESK_LIVE_BATCH_CHANNELS", "8")
CLIPDESK_LIVE_ATTEMPTS = env_int("CLIPDESK_LIVE_ATTEMPTS", "3")
CLIPDESK_LIVE_STALE_SECONDS = env_float("CLIPDESK_LIVE_STALE_SECONDS", "600")
CLIPDESK_LIVE_ENGLISH = env_bool("CLIPDESK_LIVE_ENGLISH", True)
CLIPDESK_LIVE_LAG_ALERT_SECONDS = env_float("CLIPDESK_LIVE_LAG_ALERT_SECONDS", "120")
CLIPDESK_LIVE_RETENTION_DAYS = env_int("CLIPDESK_LIVE_RETENTION_DAYS", "90")
CLIPDESK_LIVE_PARTITION_DAYS = env_int("CLIPDESK_LIVE_PARTITION_DAYS", "7")
CLIPDESK_LIVE_WHISPER_MODEL_DIR = env("CLIPDESK_LIVE_WHISPER_MODEL_DIR") or None
# Who is mailed when a channel's live transcript falls behind: these addresses, else every active
# superuser with an email address.
ADMINS = [("", address) for address in env_list("CLIPDESK_ADMINS")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("CLIPDESK_LOG_LEVEL", "INFO")},
    # Huey's consumer adds a handler of its own to "huey" unless one is configured; name it here so that
    # each worker log line is written once, not once by each handler.
    "loggers": {
        "huey": {"handlers": ["console"], "level": env("CLIPDESK_LOG_LEVEL", "INFO"), "propagate": False}
    },
}
