"""`clipdesk recorder`: records every active channel it holds, each in a supervised reader thread.

The recorder holds channels through leases in the database, renewed by a heartbeat; a lease not
renewed within the lease time (a recorder killed with kill -9, a machine gone) is taken by any other
recorder, and the time between is recorded as a gap. Each reader connects to its source, remuxes
what arrives into segments (clipdesk.recording.segmenter) and stores each as soon as it is complete.
Whatever stops a reader (a stall, a closed connection, a playlist that skipped segments, a
discontinuity, a source that is not a stream, a full disk) is recorded as a gap with its reason and
logged; the reader then connects again after a growing pause. Nothing stops silently.
"""

import datetime as dt
import logging
import math
import os
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import av
import m3u8
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from . import actions
from .models import ChannelSource, Gap, Lease
from .segmenter import Segmenter, StreamProblem, streams_to_keep

log = logging.getLogger(__name__)
Reason = Gap.Reason
MEDIA_SUFFIXES = frozenset({".ts", ".m2ts", ".mts", ".mp4", ".m4v", ".mkv", ".mov", ".mpg", ".aac", ".mp3"})


@dataclass(frozen=True)
class Options:
    segment_seconds: float = 6.0
    stall_seconds: float = 10.0
    lease_seconds: float = 30.0
    max_backoff_seconds: float = 60.0
    max_channels: int | None = None

    @classmethod
    def from_settings(cls, **overrides) -> "Options":
        values = {
            "segment_seconds": settings.CLIPDESK_RECORDING_SEGMENT_SECONDS,
            "stall_seconds": settings.CLIPDESK_RECORDING_STALL_SECONDS,
            "lease_seconds": settings.CLIPDESK_RECORDING_LEASE_SECONDS,
            "max_backoff_seconds": settings.CLIPDESK_RECORDING_MAX_BACKOFF_SECONDS,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def heartbeat_seconds(self) -> float:
        return max(0.2, self.lease_seconds / 3)


class ChannelReader(threading.Thread):
    """Records one channel until told to stop or its lease is lost."""

    def __init__(self, source: ChannelSource, holder: str, options: Options, workdir: Path):
        super().__init__(name=f"recorder-{source.channel.slug}", daemon=True)
        self.source_id, self.kind, self.url = source.pk, source.kind, source.url
        self.holder, self.options = holder, options
        self.stopping = threading.Event()
        self.lost = False
        self.segmenter = Segmenter(options.segment_seconds, self._store, self._break, workdir)
        self.last_sequence: int | None = None
        self.stored = 0

    # -- what the segmenter calls --------------------------------------------------------------------

    def _store(self, path: Path, start: dt.datetime, end: dt.datetime) -> None:
        try:
            actions.store_segment(self.source_id, path, start=start, end=end, holder=self.holder)
        except actions.LeaseLost:
            raise
        except OSError as exc:
            from .segmenter import _storage_problem

            raise _storage_problem(exc) from exc
        except DatabaseError:
            raise
        except Exception as exc:  # the media storage (a bucket) failing in its own way
            log.warning("recording: storing a segment of source %s failed", self.source_id, exc_info=True)
            raise StreamProblem(
                Reason.STORAGE, f"the media storage did not take a segment ({type(exc).__name__})"
            ) from exc
        self.stored += 1

    def _break(self, reason: str, detail: str) -> None:
        actions.open_gap(self.source_id, reason, detail)

    def _gap(self, reason: str, detail: str) -> None:
        """Records a gap; a database that does not answer now is logged, and the reader goes on."""
        try:
            actions.open_gap(self.source_id, reason, detail)
        except DatabaseError:
            log.exception(
                "recording: the gap of source %s (%s: %s) could not be recorded",
                self.source_id,
                reason,
                detail,
            )

    # -- the loop ------------------------------------------------------------------------------------

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        backoff = 1.0
        try:
            while not self.stopping.is_set():
                stored_before = self.stored
                try:
                    self.read()
                    if self.stopping.is_set():
                        self.segmenter.cut()
                        break
                    raise StreamProblem(Reason.CLOSED, "the source ended")
                except actions.LeaseLost:
                    self.lost = True
                    self.segmenter.abort()
                    log.warning("recording: %s lost its lease on source %s", self.holder, self.source_id)
                    return
                except StreamProblem as problem:
                    self._keep_what_arrived()
                    if self.stopping.is_set() and problem.reason in {Reason.STALL, Reason.CLOSED}:
                        break  # told to stop while waiting for data: not a fault of the source
                    self._gap(problem.reason, problem.detail)
                except Exception as exc:  # any other failure is logged and retried, never silent
                    log.exception("recording: the reader of source %s failed", self.source_id)
                    self.segmenter.abort()
                    self._gap(Reason.UNREACHABLE, f"the reader failed ({type(exc).__name__})")
                if self.stored > stored_before:
                    backoff = 1.0
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, self.options.max_backoff_seconds)
        finally:
            connection.close()

    def _keep_what_arrived(self) -> None:
        """Stores what arrived before the problem: it is complete up to there."""
        try:
            self.segmenter.cut()
        except actions.LeaseLost:
            raise
        except StreamProblem as problem:  # the problem is storing itself: recorded after this one
            self._gap(problem.reason, problem.detail)

    def read(self) -> None:
        self.segmenter.restart()
        {
            ChannelSource.Kind.HLS: self.read_hls,
            ChannelSource.Kind.HTTP_TS: self.read_stream,
            ChannelSource.Kind.UDP: self.read_stream,
            ChannelSource.Kind.FOLDER: self.read_folder,
        }[self.kind]()

    # -- HLS: the playlist read with m3u8, its media sequence numbers checked --------------------------

    def _get(self, url: str, what: str) -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=self.options.stall_seconds) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise StreamProblem(Reason.UNREACHABLE, f"the {what} answered HTTP {exc.code}") from exc
        except TimeoutError as exc:
            raise StreamProblem(
                Reason.STALL, f"the {what} sent nothing for {self.options.stall_seconds:g} s"
            ) from exc
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError | socket.timeout):
                raise StreamProblem(
                    Reason.STALL, f"the {what} sent nothing for {self.options.stall_seconds:g} s"
                ) from exc
            raise StreamProblem(Reason.UNREACHABLE, f"the {what} could not be reached ({reason})") from exc

    def _playlist(self, url: str) -> m3u8.M3U8:
        text = self._get(url, "playlist")
        try:
            playlist = m3u8.loads(text.decode("utf-8", "replace"), uri=url)
        except Exception as exc:  # m3u8 raises plain exceptions for text it cannot read
            raise StreamProblem(Reason.NOT_A_STREAM, "the URL does not answer with an HLS playlist") from exc
        if not text.lstrip().startswith(b"#EXTM3U"):
            raise StreamProblem(Reason.NOT_A_STREAM, "the URL does not answer with an HLS playlist")
        if playlist.is_variant:
            best = max(playlist.playlists, key=lambda p: p.stream_info.bandwidth or 0)
            return self._playlist(best.absolute_uri)
        return playlist

    def read_hls(self) -> None:
        last_new = time.monotonic()
        while not self.stopping.is_set():
            playlist = self._playlist(self.url)
            first = playlist.media_sequence or 0
            numbered = list(enumerate(playlist.segments, start=first))
            if self.last_sequence is None:
                numbered = numbered[-1:]  # a fresh start begins at the live edge
            else:
                numbered = [(n, s) for n, s in numbered if n > self.last_sequence]
            for number, segment in numbered:
                if self.stopping.is_set():
                    return
                if self.last_sequence is not None and number > self.last_sequence + 1:
                    self._skipped(self.last_sequence + 1, number - 1)
                elif segment.discontinuity and self.last_sequence is not None:
                    self.segmenter.cut()
                    self._break(
                        Reason.DISCONTINUITY, f"the playlist marks a discontinuity before segment {number}"
                    )
                data = self._get(segment.absolute_uri, f"segment {number}")
                self.last_sequence = number
                last_new = time.monotonic()
                self._feed_chunk(data, segment.current_program_date_time)
            if playlist.is_endlist:
                raise StreamProblem(Reason.CLOSED, "the playlist ended (EXT-X-ENDLIST)")
            if time.monotonic() - last_new > self.options.stall_seconds:
                raise StreamProblem(
                    Reason.STALL, f"no new segment in the playlist for {self.options.stall_seconds:g} s"
                )
            self.stopping.wait(min(1.0, max(0.2, (playlist.target_duration or 2) / 4)))

    def _skipped(self, first: int, last: int) -> None:
        self.segmenter.cut()
        count = last - first + 1
        numbers = str(first) if count == 1 else f"{first} to {last}"
        self._break(
            Reason.SKIPPED,
            f"the playlist skipped {count} segment{'s' * (count > 1)} (media sequence {numbers})",
        )

    def _feed_chunk(self, data: bytes, aired: dt.datetime | None) -> None:
        import io

        try:
            container = av.open(io.BytesIO(data), format="mpegts" if data[:1] == b"G" else None)
        except av.error.FFmpegError as exc:
            raise StreamProblem(Reason.NOT_A_STREAM, "a playlist segment is not media") from exc
        with container:
            self.segmenter.use(*streams_to_keep(container))
            self.segmenter.anchor(aired or timezone.now())
            for packet in container.demux():
                self.segmenter.feed(packet)

    # -- MPEG-TS over HTTP or UDP: one long connection ------------------------------------------------

    def _open(self, url: str, **extra):
        stall = self.options.stall_seconds
        options = {"analyzeduration": "2000000", "probesize": "2000000", **extra}
        try:
            return av.open(url, timeout=(stall + 5, stall), options=options)
        except av.error.ExitError as exc:
            raise StreamProblem(Reason.STALL, f"the source sent nothing for {stall:g} s") from exc
        except (av.error.InvalidDataError, av.error.PatchWelcomeError) as exc:
            raise StreamProblem(Reason.NOT_A_STREAM, "the source is not a media stream") from exc
        except av.error.HTTPNotFoundError as exc:
            raise StreamProblem(Reason.UNREACHABLE, "the source answered 404") from exc
        except av.error.FFmpegError as exc:
            raise StreamProblem(
                Reason.UNREACHABLE, f"the source could not be reached ({exc.strerror})"
            ) from exc

    def read_stream(self) -> None:
        extra = {}
        if self.kind == ChannelSource.Kind.UDP:
            extra = {
                "timeout": str(int(self.options.stall_seconds * 1e6)),
                "overrun_nonfatal": "1",
                "fifo_size": "1000000",
            }
        container = self._open(self.url, **extra)
        with container:
            self.segmenter.use(*streams_to_keep(container))
            self.segmenter.anchor(timezone.now())
            try:
                for packet in container.demux():
                    if self.stopping.is_set():
                        return
                    self.segmenter.feed(packet)
            except av.error.ExitError as exc:
                raise StreamProblem(
                    Reason.STALL, f"the source sent nothing for {self.options.stall_seconds:g} s"
                ) from exc
            except av.error.EOFError:
                pass
            except av.error.FFmpegError as exc:
                raise StreamProblem(Reason.CLOSED, f"the connection failed ({exc.strerror})") from exc
        raise StreamProblem(Reason.CLOSED, "the source closed the connection")

    # -- a watched folder: files dropped by a receiver -----------------------------------------------

    def read_folder(self) -> None:
        folder = Path(self.url)
        done = folder / "recorded"
        last_new = time.monotonic()
        while not self.stopping.is_set():
            if not folder.is_dir():
                raise StreamProblem(Reason.UNREACHABLE, f"the folder {folder} is missing")
            settled = time.time() - 2  # a file still being written is left for the next look
            files = sorted(
                p
                for p in folder.iterdir()
                if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES and p.stat().st_mtime < settled
            )
            for path in files:
                self._record_file(path)
                done.mkdir(exist_ok=True)
                path.rename(done / path.name)
                last_new = time.monotonic()
            if time.monotonic() - last_new > self.options.stall_seconds:
                raise StreamProblem(
                    Reason.STALL, f"no new file in the folder for {self.options.stall_seconds:g} s"
                )
            self.stopping.wait(1.0)

    def _record_file(self, path: Path) -> None:
        container = self._open(str(path))
        with container:
            self.segmenter.use(*streams_to_keep(container))
            if self.segmenter.anchor_wall is None:
                # The receiver finished writing the file at its mtime: it began that long before.
                # Later files continue its timestamps (a jump in them re-anchors, as in a stream).
                length = container.duration / av.time_base if container.duration else 0.0
                written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
                self.segmenter.anchor(min(written, timezone.now()) - dt.timedelta(seconds=length))
            for packet in container.demux():
                self.segmenter.feed(packet)


class Recorder:
    """Holds channels through leases and keeps a reader running for each."""

    def __init__(self, options: Options, name: str | None = None, workdir: Path | None = None):
        self.options = options
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.workdir = Path(workdir or settings.VAR_DIR / "recorder")
        self.readers: dict[int, ChannelReader] = {}

    def step(self) -> None:
        """One heartbeat: renew the leases held, stop readers of channels lost or paused, take free ones."""
        close_old_connections()
        held = actions.renew_leases(self.name, self.readers)
        for source_id, reader in list(self.readers.items()):
            if source_id not in held or reader.lost or not reader.is_alive():
                self._stop(source_id, paused=source_id not in held and not reader.lost)
        wanted = self._wanted()
        if wanted > 0:
            taken = actions.acquire_leases(self.name, lease_seconds=self.options.lease_seconds, limit=wanted)
            for source_id, previous in taken.items():
                if previous and previous != self.name:
                    actions.open_gap(
                        source_id, Reason.RECORDER, f"recorder {previous} stopped renewing its lease"
                    )
                self._start(source_id)

    def _wanted(self) -> int:
        """How many more channels to take: up to an even share among the recorders alive, and at most
        --max-channels; a recorder alone takes them all."""
        fresh = timezone.now() - dt.timedelta(seconds=self.options.lease_seconds)
        others = (
            Lease.objects.filter(heartbeat_at__gte=fresh)
            .exclude(holder__in=["", self.name])
            .values("holder")
            .distinct()
            .count()
        )
        share = math.ceil(ChannelSource.objects.active().count() / (others + 1))
        if self.options.max_channels is not None:
            share = min(share, self.options.max_channels)
        return share - len(self.readers)

    def _start(self, source_id: int) -> None:
        source = ChannelSource.objects.select_related("channel").get(pk=source_id)
        self.workdir.mkdir(parents=True, exist_ok=True)
        reader = ChannelReader(source, self.name, self.options, self.workdir)
        self.readers[source_id] = reader
        reader.start()
        log.info("recording: %s records %s from %s", self.name, source.channel.name, source.url)

    def _stop(self, source_id: int, *, paused: bool = False) -> None:
        reader = self.readers.pop(source_id)
        reader.stop()
        reader.join(timeout=self.options.stall_seconds + 10)
        if paused and ChannelSource.objects.filter(pk=source_id, paused=True).exists():
            actions.open_gap(source_id, Reason.PAUSED, "recording paused by staff")
        actions.release_leases(self.name, [source_id])

    def run(self, stop: threading.Event) -> None:
        log.info("recording: recorder %s starts (lease %g s)", self.name, self.options.lease_seconds)
        try:
            while True:
                try:
                    self.step()
                except DatabaseError:
                    log.exception("recording: the database did not answer; trying again")
                if stop.wait(self.options.heartbeat_seconds):
                    break
        finally:
            try:
                self.shutdown()
            finally:
                connection.close()  # this thread's own connection (a test, a bench, the command)

    def shutdown(self) -> None:
        for reader in self.readers.values():
            reader.stop()
        for source_id, reader in list(self.readers.items()):
            reader.join(timeout=self.options.stall_seconds + 10)
            self.readers.pop(source_id)
            actions.open_gap(source_id, Reason.RECORDER, f"recorder {self.name} stopped")
        actions.release_leases(
            self.name, Lease.objects.filter(holder=self.name).values_list("source_id", flat=True)
        )
