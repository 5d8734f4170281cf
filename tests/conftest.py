import email
import os
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Bounded in CI so the suite keeps its time budget; more examples on a developer's machine.
hypothesis_settings.register_profile(
    "ci", max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", max_examples=200, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


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
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clipdesk_cache"}
    }
    call_command("createcachetable", verbosity=0)


class Inbox:
    """An SMTP server's message handler: keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port, for the whole session."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings) -> list:
    """Mail goes through Django's SMTP backend to a real server on loopback; returns what it received."""
    inbox, port = smtp_server
    inbox.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return inbox.messages
