"""/healthz: its status code is about what the web server needs (the database, the media storage):
200 when usable, 503 naming what is not. The job queue, the speech model and the workers' heartbeats
are reported under "background" and never make it 503."""

import datetime as dt

import pytest
from django.db.utils import ConnectionHandler
from django.utils import timezone
from huey import RedisHuey, SqliteHuey

from clipdesk.operations import health, workers
from clipdesk.operations.models import WorkerHeartbeat

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
    workers.beat("host:1", timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    seen = body["background"]["workers"]
    assert body == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "storage": {"ok": True}},
        "background": {
            "queue": {"ok": True, "pending": 2},
            "models": {"ok": True},
            "workers": {
                "ok": True,
                "alive": 1,
                "last_heartbeat": seen["last_heartbeat"],
                "seconds_since": seen["seconds_since"],
            },
            "recording": {"ok": True, "channels": 0, "down": []},
        },
    }
    assert dt.datetime.fromisoformat(seen["last_heartbeat"]) == WorkerHeartbeat.objects.get().seen_at
    assert 0 <= seen["seconds_since"] < 60


def test_no_worker_is_reported_but_the_web_server_stays_healthy(client, sqlite_queue):
    """A load balancer must not pull a web server because the workers died; a monitor sees it."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["background"]["workers"] == {
        "ok": False,
        "detail": "no worker seen recently",
        "alive": 0,
        "last_heartbeat": None,
        "seconds_since": None,
    }


def test_a_worker_silent_for_three_beats_is_not_alive(client, sqlite_queue, settings):
    settings.CLIPDESK_WORKER_HEARTBEAT_SECONDS = 10
    workers.beat("host:1", timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(seconds=31))
    seen = client.get("/healthz").json()["background"]["workers"]
    assert (seen["ok"], seen["alive"]) == (False, 0)
    assert seen["seconds_since"] >= 31


def test_workers_silent_for_a_day_are_forgotten_at_the_next_beat(sqlite_queue):
    workers.beat("gone:1", timezone.now())
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(days=2))
    workers.beat("host:2", timezone.now())
    assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == ["host:2"]


def test_media_storage_that_cannot_be_written_is_503(client, sqlite_queue, settings, tmp_path):
    (tmp_path / "a-file").write_text("in the way of the media directory")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "a-file" / "media")},
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"ok": False, "detail": "not writable"}
    assert str(tmp_path) not in response.content.decode()


def test_head_is_answered_and_post_is_not(client, sqlite_queue):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_an_unreachable_queue_is_reported_without_its_address(client, monkeypatch, closed_port):
    url = f"redis://:hunter2-secret@127.0.0.1:{closed_port}/0"
    huey = RedisHuey("clipdesk-test", url=url)
    monkeypatch.setattr(health, "queue_instance", lambda: huey)
    response = client.get("/healthz")
    assert response.status_code == 200, "the web server itself is fine"
    body = response.json()
    assert body["status"] == "ok"
    assert body["background"]["queue"] == {"ok": False, "detail": "unreachable"}
    assert body["checks"]["database"] == {"ok": True}
    text = response.content.decode()
    assert "hunter2" not in text
    assert str(closed_port) not in text
    huey.storage.conn.close()


def test_a_missing_model_is_reported_without_its_path(client, sqlite_queue, settings, tmp_path):
    settings.CLIPDESK_WHISPER_MODEL_DIR = str(tmp_path / "no-model-here")
    response = client.get("/healthz")
    assert response.status_code == 200, "only the workers need the model"
    assert response.json()["background"]["models"] == {"ok": False, "detail": "missing or incomplete"}
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


def test_a_running_worker_beats_and_removes_its_row_when_stopped(make_site):
    """A real `clipdesk worker` process: its heartbeat appears while it runs and is gone after SIGTERM."""
    site = make_site(CLIPDESK_WORKER_HEARTBEAT_SECONDS="1")
    process = site.start_worker("worker")
    site.wait_for(
        lambda: site.rows("SELECT worker FROM operations_workerheartbeat"), "a heartbeat", timeout=60
    )
    ((name,),) = site.rows("SELECT worker FROM operations_workerheartbeat")
    assert name.endswith(f":{process.pid}")
    first = site.rows("SELECT seen_at FROM operations_workerheartbeat")
    site.wait_for(
        lambda: site.rows("SELECT seen_at FROM operations_workerheartbeat") != first,
        "a second beat",
        timeout=30,
    )
    process.terminate()
    process.wait(30)
    assert site.rows("SELECT worker FROM operations_workerheartbeat") == []
