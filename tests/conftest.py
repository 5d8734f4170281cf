"""Fixtures every test folder shares; the plain helpers they use are in tests/support.py."""

import logging
import os
import shutil
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from support import CHROMIUM, CHROMIUM_ARGS, Mailbox, free_port

ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts"

# Bounded in CI so the suite keeps its time budget; more examples on a developer's machine.
hypothesis_settings.register_profile(
    "ci", max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", max_examples=200, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_configure(config):
    """Tests see each page as rendered now: their changes commit inside the test's transaction, whose
    after-commit invalidations never run. The page cache's own tests (tests/caching) turn it on."""
    settings.CLIPDESK_PAGE_CACHE = False


def pytest_sessionstart(session):
    """A PostgreSQL run needs its server: say exactly what is missing; in CI, fail rather than skip."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg

    where = (
        f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432} as {db.get('USER') or 'the current user'}"
    )
    try:
        psycopg.connect(
            dbname=db["NAME"],
            user=db.get("USER"),
            host=db.get("HOST"),
            port=db.get("PORT"),
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        message = (
            f"PostgreSQL is not reachable at {where} ({exc}). Start it, or set CLIPDESK_TEST_POSTGRES_URL."
        )
        pytest.exit(message, returncode=1 if os.environ.get("CI") else 0)


def pytest_collection_modifyitems(config, items):
    """Tests marked `on_postgres` compare against the PostgreSQL engine itself: they run in the
    PostgreSQL pass of `make test` and are deselected (not skipped) from the SQLite one."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    elsewhere = [item for item in items if item.get_closest_marker("on_postgres")]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not item.get_closest_marker("on_postgres")]


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture(autouse=True, scope="session")
def search_index_in_tmp(tmp_path_factory):
    """Tests never write the developer's search index under var/."""
    settings.CLIPDESK_SEARCH_DIR = tmp_path_factory.mktemp("search")
    settings.CLIPDESK_LIVE_SEARCH_DIR = tmp_path_factory.mktemp("live-search")


@pytest.fixture(autouse=True, scope="session")
def jobs_run_in_process():
    """Tests run enqueued jobs at once, in memory; the queue itself is tested where it matters."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


@pytest.fixture
def roles(db):
    """A user per staff role, plus a signed-in reader with no role."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group

    from clipdesk.accounts.roles import assign_roles
    from factories.archive import UserFactory

    if not Group.objects.exists():  # a transactional test flushed what the data migration made
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
        assign_roles(apps)
    users = {"reader": UserFactory(username="reader", is_staff=False)}
    for group in Group.objects.all():
        user = UserFactory(username=group.name, is_staff=True)
        user.groups.add(group)
        users[group.name] = user
    return users


@pytest.fixture
def sample_page_text() -> str:
    return (settings.BASE_DIR.parent.parent / "samples" / "pages" / "clip-8891.txt").read_text(
        encoding="utf-8"
    )


@pytest.fixture
def timed_clip(db):
    """A draft with two speakers and four timed lines in Arabic and English."""
    from factories.archive import ClipFactory
    from factories.transcripts import SegmentFactory, SpeakerFactory

    clip = ClipFactory(title="Bilingual interview", duration_ms=8000)
    host = SpeakerFactory(clip=clip, label="Host", role="host", position=0)
    guest = SpeakerFactory(clip=clip, label="Ali Hassan", position=1)
    lines = [
        (0, 1500, host, "مرحبا بكم", "Welcome."),
        (1500, 4000, guest, "شكرا [لكم] على الاستضافة", "Thank you [all] for having me."),
        (4000, 6000, host, "ماذا حدث؟", "What happened?"),
        (6000, 8000, guest, "لا شيء...", "Nothing..."),
    ]
    for position, (start, end, speaker, original, english) in enumerate(lines):
        SegmentFactory(
            clip=clip,
            position=position,
            start_ms=start,
            end_ms=end,
            speaker=speaker,
            original_text=original,
            original_language="ar",
            english_text=english,
        )
    return clip


@pytest.fixture
def shared_cache(db, settings):
    """Rate limits counted in the database cache that every process of a deployment shares."""
    from django.core.management import call_command

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clipdesk_cache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "clipdesk_page_cache",
        },
    }
    call_command("createcachetable", verbosity=0)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """Stored media in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def search_dir(settings, tmp_path) -> Path:
    """Publishing indexes clips for search (when its commit callbacks run): in an index of the test's own."""
    settings.CLIPDESK_SEARCH_DIR = tmp_path / "search"
    return settings.CLIPDESK_SEARCH_DIR


# -- mail --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port, for the whole session: (mailbox, port)."""
    # The server thread logs every connection, some after the test's output streams have closed.
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()
    server_log.setLevel(level)


@pytest.fixture
def smtp(smtp_server, settings) -> Mailbox:
    """Mail goes through Django's SMTP backend to the server on loopback; the test reads what it
    received (`.received`, `.to(address)`) and may make it refuse (`.rcpt_replies`, `.data_replies`)."""
    mailbox, port = smtp_server
    mailbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    return mailbox


@pytest.fixture
def mailbox(smtp) -> list:
    """The messages the SMTP server received in this test, in order (each an EmailMessage)."""
    return smtp.received


# -- the browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, headless, started once for the session."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: apt-get install chromium (or set CLIPDESK_CHROMIUM)."
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' own database calls are
    # ordinary synchronous code all the same.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """new_page(**context options): a page in a context of its own, closed after the test. Console
    errors, uncaught exceptions and answers of 400 or more are collected in `page.console_errors`."""
    contexts = []

    def open_page(viewport=None, **options):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, **options)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "response",
            lambda response: (
                errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
            ),
        )
        page.console_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280 by 900)."""
    return new_page()


@pytest.fixture
def screenshot():
    """screenshot(page, name): the whole page, kept under var/test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
