"""Health probes for /healthz and the system checks.

What the web server itself needs (the database, the media storage) decides /healthz's status code;
what only the background work needs (the job queue, the speech model, the workers' heartbeats) is
reported beside it, so that a load balancer never pulls a healthy web server because a worker died.

A probe's `detail` is shown to anyone who asks /healthz, so it names the kind of failure only; the
exception itself (hosts, paths, user names) goes to the log.
"""

import contextlib
import logging
import os
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str = ""
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ok": self.ok, **({"detail": self.detail} if self.detail else {}), **self.data}


def database(connection=None) -> Probe:
    connection = connection or connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not healthy": a health check must answer, never raise
        log.warning("health: the database does not answer", exc_info=True)
        return Probe(False, "unreachable")
    return Probe(True)


def queue_instance():
    """The configured Huey instance (SQLite storage under var/, or Redis when REDIS_URL is set)."""
    from huey.contrib.djhuey import HUEY

    return HUEY


def queue(huey=None) -> Probe:
    huey = huey or queue_instance()
    try:
        pending = huey.storage.queue_size()
    except Exception:  # as above: Redis and SQLite fail with many different exceptions
        log.warning("health: the job queue does not answer", exc_info=True)
        return Probe(False, "unreachable")
    return Probe(True, data={"pending": pending})


def model_dir() -> str | None:
    """A configured Whisper model directory, or None for the bundled Whisper base."""
    return settings.CLIPDESK_WHISPER_MODEL_DIR or None


def model_problem(*, verify: bool = False) -> str | None:
    """What is wrong with the Whisper model, or None when it is usable.

    Without `verify` this only looks at the files (present, and the bundled parts of the right total
    size); `verify` also hashes the whole model (about 145 MB), which the pipeline caches per process.
    """
    try:
        from clipdesk.pipeline.models import ModelError, locate_model, verify_model
    except ImportError as exc:
        return f"the speech pipeline cannot be imported ({exc})"
    try:
        spec = locate_model(model_dir())
        if spec.expected_size is not None:
            size = sum(part.stat().st_size for part in spec.parts)
            if size != spec.expected_size:
                joined = " + ".join(str(p) for p in spec.parts)
                return f"{joined} join to {size} bytes, expected {spec.expected_size}"
        if verify:
            verify_model(spec)
    except (ModelError, OSError) as exc:
        return str(exc)
    return None


_models_present = False
_models_lock = threading.Lock()


def models() -> Probe:
    """The model files are in place. Once found, that is remembered for the life of the process:
    installed model files do not change under a running site, and a probe should not touch the disk
    on every request. A failure is looked at again on the next call."""
    global _models_present
    with _models_lock:
        if _models_present:
            return Probe(True)
        problem = model_problem()
        if problem:
            log.warning("health: speech model: %s", problem)
            return Probe(False, "missing or incomplete")
        _models_present = True
        return Probe(True)


def forget_models() -> None:
    """Look at the model files again on the next probe (after the model was reinstalled, and in tests)."""
    global _models_present
    with _models_lock:
        _models_present = False


def storage(media=None) -> Probe:
    """The media storage answers: on disk, its directory exists and can be written; in a bucket, a
    lookup of a name succeeds (a missing object is an answer; a refused or unreachable bucket is not)."""
    from django.core.files.storage import default_storage

    media = media or default_storage
    try:
        if hasattr(media, "location") and not hasattr(media, "bucket_name"):
            root = media.location
            with contextlib.suppress(OSError):  # made as the storage itself does at the first upload
                os.makedirs(root, exist_ok=True)
            if not os.path.isdir(root) or not os.access(root, os.W_OK | os.X_OK):
                log.warning("health: the media directory %s is missing or not writable", root)
                return Probe(False, "not writable")
        else:
            media.exists("healthz-probe")
    except Exception:  # as above: a storage fails in its own ways
        log.warning("health: the media storage does not answer", exc_info=True)
        return Probe(False, "unreachable")
    return Probe(True)


def workers() -> Probe:
    from .workers import status

    try:
        found = status()
    except Exception:
        log.warning("health: the workers' heartbeats could not be read", exc_info=True)
        return Probe(False, "unknown")
    ok = found.pop("ok")
    return Probe(ok, "" if ok else "no worker seen recently", data=found)


def recording() -> Probe:
    """Channels that should be recording and are not (a gap open now): named, for the monitor to act."""
    try:
        from clipdesk.recording.models import ChannelSource

        down = list(ChannelSource.objects.down().values_list("channel__slug", flat=True))
        active = ChannelSource.objects.active().count()
    except Exception:  # as above: never raise from a probe
        log.warning("health: the recording state could not be read", exc_info=True)
        return Probe(False, "unknown")
    return Probe(
        not down, f"{len(down)} channel(s) down" if down else "", data={"channels": active, "down": down}
    )


def report() -> dict[str, Probe]:
    """What the web server needs: these decide /healthz's status code."""
    return {"database": database(), "storage": storage()}


def background() -> dict[str, Probe]:
    """What the background work needs: reported by /healthz, never turning it into a 503."""
    return {"queue": queue(), "models": models(), "workers": workers(), "recording": recording()}
