"""/healthz: 200 when the database, the queue and the models are usable; 503 naming what is not."""

import pytest
from django.db.utils import ConnectionHandler
from huey import RedisHuey, SqliteHuey

from clipdesk.operations import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def sqlite_queue(tmp_path, monkeypatch):
    """A real SQLite job queue of the test's own, as the default settings configure one."""
    huey = SqliteHuey("clipdesk-test", filename=str(tmp_path / "huey.sqlite3"))
    monkeypatch.setattr(health, "queue_instance", lambda: huey)
    return huey


def test_all_well(client, sqlite_queue):
    @sqlite_queue.task()
    def noop():
        pass

    noop()
    noop()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "queue": {"ok": True, "pending": 2}, "models": {"ok": True}},
    }


def test_head_is_answered_and_post_is_not(client, sqlite_queue):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_an_unreachable_queue_is_503_without_its_address(client, monkeypatch, closed_port):
    url = f"redis://:hunter2-secret@127.0.0.1:{closed_port}/0"
    huey = RedisHuey("clipdesk-test", url=url)
    monkeypatch.setattr(health, "queue_instance", lambda: huey)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["queue"] == {"ok": False, "detail": "unreachable"}
    assert body["checks"]["database"] == {"ok": True}
    text = response.content.decode()
    assert "hunter2" not in text
    assert str(closed_port) not in text
    huey.storage.conn.close()


def test_a_missing_model_is_503_without_its_path(client, sqlite_queue, settings, tmp_path):
    settings.CLIPDESK_WHISPER_MODEL_DIR = str(tmp_path / "no-model-here")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["models"] == {"ok": False, "detail": "missing or incomplete"}
    assert str(tmp_path) not in response.content.decode()


def test_an_incomplete_model_directory_fails(settings, tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.bin").write_bytes(b"weights")
    settings.CLIPDESK_WHISPER_MODEL_DIR = str(model)
    assert "missing config.json, tokenizer.json" in health.model_problem()
    assert health.models() == health.Probe(False, "missing or incomplete")


def test_a_found_model_is_remembered_until_forgotten(settings, tmp_path):
    assert health.models().ok
    settings.CLIPDESK_WHISPER_MODEL_DIR = str(tmp_path / "gone")
    assert health.models().ok  # the files are not looked at again in this process
    health.forget_models()
    assert not health.models().ok


def test_an_unreachable_database_fails_the_probe(tmp_path):
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "no" / "such" / "db")}}
    )
    try:
        assert health.database(handler["default"]) == health.Probe(False, "unreachable")
    finally:
        handler.close_all()
