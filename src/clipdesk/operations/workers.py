"""Heartbeats of the job workers: each `clipdesk worker` process says it is alive, so that /healthz
can report when the workers last ran without a load balancer ever pulling a web server for it."""

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from .models import WorkerHeartbeat

log = logging.getLogger(__name__)

FORGET_AFTER = dt.timedelta(days=1)


def interval() -> float:
    return float(settings.CLIPDESK_WORKER_HEARTBEAT_SECONDS)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str, started_at: dt.datetime) -> None:
    """Record that worker `name` is alive now, and forget workers silent for a day."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"seen_at": now, "started_at": started_at})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def leave(name: str) -> None:
    WorkerHeartbeat.objects.filter(worker=name).delete()


class Heartbeat:
    """Beats from a daemon thread while the worker process runs; `stop()` removes the worker's row."""

    def __init__(self, name: str | None = None):
        self.name = name or worker_name()
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="clipdesk-heartbeat", daemon=True)

    def start(self) -> "Heartbeat":
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            try:
                close_old_connections()
                beat(self.name, self.started_at)
            except DatabaseError:  # the database is away: the next beat tries again
                log.warning("worker heartbeat: the database did not answer", exc_info=True)
            if self._stop.wait(interval()):
                break
        try:
            leave(self.name)
        except DatabaseError:
            log.warning("worker heartbeat: could not remove this worker's row", exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def status() -> dict:
    """The workers as /healthz reports them: how many beat recently, and the latest heartbeat."""
    fresh_after = timezone.now() - dt.timedelta(seconds=3 * interval())
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=fresh_after).count()
    return {
        "ok": alive > 0,
        "alive": alive,
        "last_heartbeat": latest.isoformat() if latest else None,
        "seconds_since": round((timezone.now() - latest).total_seconds(), 1) if latest else None,
    }
