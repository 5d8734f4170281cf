"""Cutting a channel's packets into short MPEG-TS segments, without decoding or re-encoding them.

A segment begins at a key frame (any packet of a radio channel with no pictures) once the one before
has reached its length, so each segment plays on its own. It is written to a temporary file and handed
to `store` only when it is complete: nothing half-written ever becomes a segment. Packet times map to
wall-clock times through an anchor (a program date-time, or the time the stream was received); a
packet whose timestamps jump backwards, or forwards by more than a moment, ends the segment and is
reported as a clock break, so no segment spans the jump with wrong wall-clock times.
"""

import datetime as dt
import errno
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import av

log = logging.getLogger(__name__)

# What an MPEG-TS segment can hold, and so what the recorder keeps as it comes.
VIDEO_CODECS = frozenset({"h264", "hevc", "mpeg2video", "mpeg1video"})
AUDIO_CODECS = frozenset({"aac", "aac_latm", "mp2", "mp3", "ac3", "eac3", "opus"})
# A stream's clock may step forward by a packet or two; beyond this it jumped.
JUMP_SECONDS = 5.0


class StreamProblem(Exception):
    """Recording this stream stopped, for `reason` (a Gap.Reason); `detail` says more."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def streams_to_keep(container) -> tuple:
    """The first video stream (None for radio) and the first audio stream, checked: StreamProblem
    when there is no audio, or a codec a segment cannot hold."""
    from .models import Gap

    audio = container.streams.audio[0] if container.streams.audio else None
    video = container.streams.video[0] if container.streams.video else None
    if audio is None:
        kinds = ", ".join(sorted({s.type for s in container.streams})) or "nothing"
        raise StreamProblem(Gap.Reason.NO_AUDIO, f"the stream has no audio (it carries {kinds})")
    for stream, allowed in ((video, VIDEO_CODECS), (audio, AUDIO_CODECS)):
        name = stream.codec_context.name if stream is not None and stream.codec_context else None
        if stream is not None and name not in allowed:
            raise StreamProblem(
                Gap.Reason.CODEC,
                f"{stream.type} codec {name or 'unknown'} cannot be kept in MPEG-TS segments",
            )
    return video, audio


class _Open:
    """The segment being written."""

    def __init__(self, workdir: Path, templates: dict, wall: dt.datetime, t: float):
        handle, name = tempfile.mkstemp(suffix=".ts.part", dir=workdir)
        os.close(handle)
        self.path = Path(name)
        self.container = av.open(str(self.path), "w", format="mpegts")
        self.streams = {kind: self.container.add_stream_from_template(s) for kind, s in templates.items()}
        self.first_t, self.end_t, self.wall = t, t, wall
        self.last_dts: dict[str, float] = {}

    def close(self) -> None:
        self.container.close()

    def discard(self) -> None:
        try:
            self.container.close()
        except Exception:  # a broken write: the file goes anyway
            log.debug("closing a discarded segment failed", exc_info=True)
        self.path.unlink(missing_ok=True)


class Segmenter:
    """Feed it a channel's packets; it calls `store(path, start, end)` for every complete segment."""

    def __init__(
        self,
        target_seconds: float,
        store: Callable[[Path, dt.datetime, dt.datetime], None],
        on_break: Callable[[str, str], None],
        workdir: Path | None = None,
    ):
        self.target = target_seconds
        self.store, self.on_break = store, on_break
        self.workdir = Path(workdir or tempfile.gettempdir())
        self.current: _Open | None = None
        self.templates: dict = {}
        self.anchor_wall: dt.datetime | None = None
        self.anchor_t: float | None = None
        self.pending_anchor: dt.datetime | None = None
        self.last_t: dict[str, float] = {}
        self._units: dict[str, float] = {}

    # -- the clock -----------------------------------------------------------------------------------

    def anchor(self, wall: dt.datetime) -> None:
        """The next packet aired at `wall` (a program date-time, or now)."""
        self.pending_anchor = wall

    def wall_of(self, t: float) -> dt.datetime:
        return self.anchor_wall + dt.timedelta(seconds=t - self.anchor_t)

    # -- packets -------------------------------------------------------------------------------------

    def use(self, video, audio) -> None:
        """The input streams the next packets come from (a new connection, a new HLS segment)."""
        self.inputs = {"video": video, "audio": audio}
        self.templates = {kind: s for kind, s in self.inputs.items() if s is not None}
        self._units = {}

    def feed(self, packet) -> None:
        kind = packet.stream.type
        if kind not in self.templates or packet.size == 0:
            return
        when = packet.pts if packet.pts is not None else packet.dts
        if when is None:
            return
        # Seconds as floats: Fraction arithmetic on every packet would cost more than the remux itself.
        unit = self._units.get(kind)
        if unit is None:
            unit = self._units[kind] = float(packet.time_base)
        t = when * unit
        last = self.last_t.get(kind)
        if last is not None and (t < last - 0.5 or t > last + JUMP_SECONDS):
            from .models import Gap

            self.cut()
            detail = f"the {kind} timestamps jumped by {t - last:+.1f} s"
            self.last_t.clear()
            if self.pending_anchor is None:  # the wall clock runs on where the stream left it
                self.pending_anchor = self.wall_of(last)
            self.on_break(Gap.Reason.CLOCK, detail)
        if self.pending_anchor is not None:
            self.anchor_wall, self.anchor_t, self.pending_anchor = self.pending_anchor, t, None
        if self.anchor_wall is None:
            self.anchor_wall, self.anchor_t = dt.datetime.now(dt.UTC), t
        self.last_t[kind] = max(t, self.last_t.get(kind, t))
        # A segment opens with a key frame of the pictures (any packet of a radio channel), so that
        # it plays on its own; the packets before the first one are dropped.
        opens = (kind == "video" and packet.is_keyframe) or "video" not in self.templates
        if opens and self.current is not None and t - self.current.first_t >= self.target - 0.05:
            self.cut()
        if self.current is None:
            if not opens:
                return
            self.current = self._open(t)
        self._write(packet, kind, t)

    def _open(self, t: float) -> _Open:
        try:
            return _Open(self.workdir, self.templates, self.wall_of(t), t)
        except OSError as exc:
            raise _storage_problem(exc) from exc

    def _write(self, packet, kind: str, t: float) -> None:
        current = self.current
        unit = self._units[kind]
        duration = packet.duration * unit if packet.duration else 0.0
        stream = current.streams[kind]
        dts = (packet.dts if packet.dts is not None else packet.pts) * unit
        if dts <= current.last_dts.get(kind, float("-inf")):
            return  # overlaps what was written (an encoder restarted per segment): a muxer refuses it
        current.last_dts[kind] = dts
        if kind == "video" or "video" not in self.templates:
            # A segment's times are its pictures' (MPEG-TS carries the sound a little ahead of them).
            current.end_t = max(current.end_t, t + duration)
        packet.stream = stream
        try:
            current.container.mux(packet)
        except OSError as exc:
            self.abort()
            raise _storage_problem(exc) from exc

    # -- ending segments -----------------------------------------------------------------------------

    def cut(self) -> None:
        """Ends the segment being written and stores it (a segment of nothing is dropped)."""
        current, self.current = self.current, None
        if current is None:
            return
        try:
            current.close()
        except OSError as exc:
            current.discard()
            raise _storage_problem(exc) from exc
        try:
            if current.end_t > current.first_t and current.path.stat().st_size > 0:
                end = current.wall + dt.timedelta(seconds=current.end_t - current.first_t)
                self.store(current.path, current.wall, end)
        finally:
            current.path.unlink(missing_ok=True)

    def abort(self) -> None:
        """Drops the segment being written: nothing of it is stored."""
        current, self.current = self.current, None
        if current is not None:
            current.discard()

    def restart(self) -> None:
        """A new connection: its clock is anchored afresh."""
        self.last_t.clear()
        self.anchor_wall = self.anchor_t = None


def _storage_problem(exc: OSError) -> StreamProblem:
    from .models import Gap

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StreamProblem(
            Gap.Reason.DISK_FULL, f"no space left to write a segment ({os.strerror(exc.errno)})"
        )
    return StreamProblem(Gap.Reason.STORAGE, f"a segment could not be written ({exc.strerror or exc})")
