"""The system checks behind `clipdesk check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from huey import RedisHuey, SqliteHuey

from clipdesk.operations import checks, health

GOOD = {
    "CLIPDESK_ENV": "production",
    "DEBUG": False,
    "SECRET_KEY": "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
    "ALLOWED_HOSTS": ["clips.example.org"],
    "CLIPDESK_BASE_URL": "https://clips.example.org",
}


def ids(messages) -> list[str]:
    return [m.id for m in messages]


@pytest.fixture
def production(settings):
    for name, value in GOOD.items():
        setattr(settings, name, value)
    return settings


def test_good_production_settings_pass(production):
    assert checks.check_production_settings(None) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CLIPDESK_ENV", "development", "clipdesk.W001"),
        ("DEBUG", True, "clipdesk.E001"),
        ("SECRET_KEY", "clipdesk-development-only-not-secret", "clipdesk.E002"),
        ("SECRET_KEY", "django-insecure-" + "x" * 60, "clipdesk.E002"),
        ("SECRET_KEY", "short-but-random-9f8a7", "clipdesk.E002"),
        ("SECRET_KEY", "ab" * 40, "clipdesk.E002"),
        ("ALLOWED_HOSTS", [], "clipdesk.E003"),
        ("ALLOWED_HOSTS", ["*"], "clipdesk.E003"),
        ("CLIPDESK_BASE_URL", "http://clips.example.org", "clipdesk.E004"),
        ("CLIPDESK_BASE_URL", "https://archive.example.net", "clipdesk.W002"),
    ],
)
def test_each_bad_setting_is_reported(production, name, value, expected):
    setattr(production, name, value)
    found = checks.check_production_settings(None)
    assert ids(found) == [expected]
    assert found[0].hint


def test_a_short_key_says_how_to_make_a_good_one(production):
    production.SECRET_KEY = "x1y2z3" * 3
    (message,) = checks.check_production_settings(None)
    assert "is 18 characters long" in message.msg
    assert "secrets.token_urlsafe(50)" in message.hint


def test_the_bundled_model_passes_with_its_checksum():
    assert checks.check_speech_model(None) == []


def test_a_missing_model_is_an_error(settings, tmp_path):
    settings.CLIPDESK_WHISPER_MODEL_DIR = str(tmp_path / "model")
    (message,) = checks.check_speech_model(None)
    assert message.id == "clipdesk.E010"
    assert "does not exist" in message.msg


def test_a_reachable_queue_passes(monkeypatch, tmp_path):
    huey = SqliteHuey("clipdesk-test", filename=str(tmp_path / "huey.sqlite3"))
    monkeypatch.setattr(health, "queue_instance", lambda: huey)
    assert checks.check_queue(None) == []


def test_an_unreachable_redis_is_named_without_its_password(settings, monkeypatch, closed_port):
    settings.REDIS_URL = f"redis://:hunter2-secret@127.0.0.1:{closed_port}/0"
    huey = RedisHuey("clipdesk-test", url=settings.REDIS_URL)
    monkeypatch.setattr(health, "queue_instance", lambda: huey)
    (message,) = checks.check_queue(None)
    huey.storage.conn.close()
    assert message.id == "clipdesk.E020"
    assert f"Redis at redis://127.0.0.1:{closed_port}/0 (REDIS_URL)" in message.msg
    assert "hunter2" not in message.msg + message.hint


@pytest.mark.django_db
def test_pending_migrations_are_listed():
    assert checks.check_migrations(None) == []
    recorder = MigrationRecorder(connection)
    latest = max(name for app, name in recorder.applied_migrations() if app == "archive")
    recorder.record_unapplied("archive", latest)  # rolled back with the test's transaction
    (message,) = checks.check_migrations(None)
    assert message.id == "clipdesk.E030"
    assert f"archive.{latest}" in message.msg
    assert "clipdesk migrate" in message.hint


def test_an_unloadable_repairer_is_an_error_on_every_command(settings):
    settings.CLIPDESK_REPAIRERS = ["clipdesk.operations.repair.cache_table", "clipdesk.nowhere.requeue"]
    (message,) = checks.check_repairers(None)
    assert message.id == "clipdesk.E040"
    assert "clipdesk.nowhere.requeue" in message.msg
    assert "clipdesk.E040" in ids(run_checks())  # a plain check, not only with --deploy
    assert "clipdesk.E001" not in ids(run_checks())


@pytest.mark.django_db
def test_deploy_checks_run_only_when_asked(settings):
    settings.DEBUG = True
    assert "clipdesk.E001" in ids(run_checks(include_deployment_checks=True, tags=["clipdesk"]))


def test_check_deploy_from_the_command_line(tmp_path, closed_port):
    """Sound settings with a database never migrated, then a database server that is down.

    CLIPDESK_ENV stays development, so that this test needs no production settings of other apps.
    """
    var = tmp_path / "var"
    var.mkdir()
    env = {
        **os.environ,
        "CLIPDESK_VAR_DIR": str(var),
        "CLIPDESK_ENV": "development",
        "CLIPDESK_DEBUG": "off",
        "CLIPDESK_SECRET_KEY": GOOD["SECRET_KEY"],
        "CLIPDESK_ALLOWED_HOSTS": "clips.example.org",
        "CLIPDESK_BASE_URL": "https://clips.example.org",
        "DATABASE_URL": f"sqlite:///{var / 'clipdesk.sqlite3'}",
    }
    clipdesk = str(Path(sys.executable).with_name("clipdesk"))
    command = [clipdesk, "check", "--deploy", "--tag", "clipdesk"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1
    assert "(clipdesk.E030)" in done.stderr
    assert "(clipdesk.W001) CLIPDESK_ENV is 'development'" in done.stderr
    for other in ("E001", "E002", "E003", "E004", "E010", "E020", "W002"):
        assert f"clipdesk.{other}" not in done.stderr, done.stderr

    env["DATABASE_URL"] = f"postgres://nobody@127.0.0.1:{closed_port}/clipdesk"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1
    assert "(clipdesk.E031) The database does not answer" in done.stderr
