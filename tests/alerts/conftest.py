"""Fixtures of the alerts tests: stored files in the test's directory, short live windows, channel
sources, live lines stored as the live transcription stores them (rows, then `lines_stored` after
commit), monitors (staff in the monitor role), and a recordings' index of the test's own."""

import datetime as dt
import os

import pytest
from django.db import transaction

from clipdesk.alerts.models import LiveLine
from clipdesk.alerts.signals import lines_stored
from recording.streams import add

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be downloaded

AIR = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def live_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.CLIPDESK_SEARCH_DIR = tmp_path / "search"
    settings.CLIPDESK_LIVE_WINDOW_SECONDS = 12
    settings.CLIPDESK_LIVE_MAX_WINDOW_SECONDS = 24
    settings.CLIPDESK_LIVE_OVERLAP_SECONDS = 1
    settings.CLIPDESK_LIVE_LAG_ALERT_SECONDS = 3600
    return settings


@pytest.fixture(autouse=True)
def live_index_in_tmp(settings, tmp_path):
    settings.CLIPDESK_LIVE_SEARCH_DIR = tmp_path / "live-search"
    return settings.CLIPDESK_LIVE_SEARCH_DIR


@pytest.fixture
def source(db):
    return add("http://127.0.0.1:9/live.m3u8", name="Al-Manar TV")


@pytest.fixture
def other_source(db):
    return add("http://127.0.0.1:9/other.m3u8", name="Iran International")


def with_role(user, role: str):
    """`user` in the staff role `role` (the groups a transactional test's flush removed are made again)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group

    from clipdesk.accounts.roles import assign_roles

    if not Group.objects.filter(name=role).exists():
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
        assign_roles(apps)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def monitor(db):
    from factories.archive import UserFactory

    return with_role(UserFactory(username="monitor1", is_staff=True, email="monitor@example.org"), "monitor")


def make_line(source, start, text, *, english="", language="ar", words=None, seconds=4.0):
    """A live line as the live transcription writes it; `words` default to evenly spaced words."""
    if words is None:
        parts = text.split()
        step = int(seconds * 1000 / max(1, len(parts)))
        words = [[i * step, (i + 1) * step, w, 0.9] for i, w in enumerate(parts)]
    return LiveLine.objects.create(
        source=source,
        start=start,
        end=start + dt.timedelta(seconds=seconds),
        language=language,
        text=text,
        english=english,
        words=words,
    )


def store(source, *lines: tuple) -> list[LiveLine]:
    """Store lines (each the arguments of `make_line` after `source`: start, text, and a dict of the
    rest) and send `lines_stored`, as the live transcription does once they are committed."""
    with transaction.atomic():
        made = [make_line(source, *args[:2], **(args[2] if len(args) > 2 else {})) for args in lines]
    lines_stored.send(sender=LiveLine, source_id=source.pk, line_ids=[line.pk for line in made])
    return made
