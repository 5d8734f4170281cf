"""Which air of a channel to transcribe next, and which of the lines decoded from it are final.

A channel's `watermark` is the air time up to which its lines are final. The next window is read
from a little before it (the overlap, so that a word cut by the last window's end is heard whole)
to at most CLIPDESK_LIVE_MAX_WINDOW_SECONDS after it, along the recording while it is continuous.
A window is due once CLIPDESK_LIVE_WINDOW_SECONDS of air are recorded after the watermark, or at
once when the recording stops there (a gap follows, or the channel is down now): nothing more will
come to complete its last line.

Of the lines decoded, those whose middle lies before the watermark were stored already (they were
heard again in the overlap) and are dropped. Unless the window is final, the last line is held back
when it ends near the window's end (it may go on after it): the watermark moves to its start, and
the next window decodes it again, whole. So a line that straddles a window boundary is stored once,
whole, with the times of the later decoding.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings

from clipdesk.pipeline.transcribe import Segment as Recognised
from clipdesk.recording.actions import JOIN_TOLERANCE
from clipdesk.recording.models import Gap, Segment

from .models import LiveChannel, LiveLine

# A line ending this close to a window's end may go on after it: held back for the next window.
HOLD_MARGIN = dt.timedelta(seconds=2)
# A held line starting this close to the watermark fills the window: stored rather than held forever.
HOLD_MIN_PROGRESS = dt.timedelta(seconds=1)
MAX_SEGMENTS = 500


@dataclass
class Plan:
    """A window of a channel's air to decode: [read_from, end), its lines final from `keep_from` on."""

    source_id: int
    expected: dt.datetime | None  # the watermark the plan was made from (None: the channel's first)
    keep_from: dt.datetime
    read_from: dt.datetime
    end: dt.datetime
    final: bool
    segments: list[Segment] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.end - self.read_from).total_seconds()


def window_seconds() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.CLIPDESK_LIVE_WINDOW_SECONDS))


def plan(live: LiveChannel, *, force: bool = False) -> Plan | None:
    """The channel's next window, or None while not enough air is recorded after its watermark.
    With `force`, whatever air is recorded after it is taken, as a final window."""
    overlap = dt.timedelta(seconds=float(settings.CLIPDESK_LIVE_OVERLAP_SECONDS))
    longest = dt.timedelta(seconds=float(settings.CLIPDESK_LIVE_MAX_WINDOW_SECONDS))
    longest = max(longest, window_seconds())
    rows = Segment.objects.filter(source_id=live.source_id)
    mark = live.watermark
    if mark is None:
        first = rows.order_by("start").values_list("start", flat=True).first()
        if first is None:
            return None
        mark = first
    # Enough segments to fill the longest window, however short they are, and the one after.
    segments = list(rows.filter(end__gt=mark - overlap).order_by("start")[:MAX_SEGMENTS])
    if not segments:
        return None
    # Air not recorded is not transcribed: past a gap, the window starts where the recording resumes.
    run: list[Segment] = []
    following = None  # the first segment after a gap that ends the run
    for segment in segments:
        if run and segment.start - run[-1].end > JOIN_TOLERANCE:
            if run[-1].end > mark:
                following = segment
                break
            run = []  # a gap before the watermark: the run that matters starts after it
        if run and run[-1].end >= max(mark, run[0].start) + longest:
            break  # the window is full
        run.append(segment)
    keep_from = max(mark, run[0].start)
    if run[-1].end <= keep_from:  # the overlap's segment alone: the next one has not come yet
        return None
    read_from = max(keep_from - overlap, run[0].start)
    run_end = run[-1].end
    end = min(run_end, keep_from + longest)
    resumes_later = end == run_end and following is not None
    down = end == run_end and Gap.objects.filter(source_id=live.source_id, end__isnull=True).exists()
    final = resumes_later or down or force
    if not final and end - keep_from < window_seconds():
        return None
    return Plan(
        source_id=live.source_id,
        expected=live.watermark,
        keep_from=keep_from,
        read_from=read_from,
        end=end,
        final=final and end == run_end,
        segments=[s for s in run if s.end > read_from and s.start < end],
    )


def settle(window: Plan, lines: list[Recognised], *, english: bool) -> tuple[list[LiveLine], dt.datetime]:
    """The final lines of a decoded window (times in ms from `read_from`), as unsaved rows, and
    the watermark after them."""
    cutoff_ms = round((window.keep_from - window.read_from).total_seconds() * 1000)
    kept = [trimmed for line in lines if line.text.strip() and (trimmed := _after(line, cutoff_ms))]
    rows = [_row(window, line, english) for line in kept]
    mark = window.end
    if not window.final and rows:
        last = rows[-1]
        if last.end >= window.end - HOLD_MARGIN and last.start >= window.keep_from + HOLD_MIN_PROGRESS:
            rows.pop()
            mark = max(last.start, window.keep_from)
        else:
            mark = max(window.end - HOLD_MARGIN, rows[-1].end, window.keep_from)
    elif not window.final:
        mark = max(window.end - HOLD_MARGIN, window.keep_from)
    # One line per start (the table's key): two lines never share a millisecond in practice.
    seen: set[dt.datetime] = set()
    for row in rows:
        while row.start in seen:
            row.start += dt.timedelta(milliseconds=1)
        seen.add(row.start)
    return rows, mark


def _after(line: Recognised, cutoff_ms: int) -> Recognised | None:
    """The part of a line heard after the cutoff (the watermark): its words whose middle is after
    it. The words before were stored with an earlier line, heard again in the overlap. None when
    nothing of it is new."""

    def middle(start: int, end: int) -> float:
        return (start + end) / 2

    if not line.words:
        return line if middle(line.start_ms, line.end_ms) >= cutoff_ms else None
    words = [w for w in line.words if middle(w.start_ms, w.end_ms) >= cutoff_ms]
    if len(words) == len(line.words):
        return line
    if not words:
        return None
    # The English draft was made of the whole line and is kept: a draft with a word too many
    # beats none. An English line is its own translation.
    text = " ".join(w.text for w in words)
    return dataclasses.replace(
        line,
        start_ms=words[0].start_ms,
        words=words,
        text=text,
        translation=text if line.language == "en" else line.translation,
    )


def _row(window: Plan, line: Recognised, english: bool) -> LiveLine:
    start = window.read_from + dt.timedelta(milliseconds=line.start_ms)
    end = window.read_from + dt.timedelta(milliseconds=max(line.end_ms, line.start_ms))
    translation = line.translation or ""
    return LiveLine(
        source_id=window.source_id,
        day=start.astimezone(dt.UTC).date(),
        start=start,
        end=end,
        language=line.language,
        text=line.text.strip(),
        english="" if line.language == "en" or not english else translation.strip(),
        words=[
            [w.start_ms - line.start_ms, w.end_ms - line.start_ms, w.text, w.probability] for w in line.words
        ],
        uncertain=list(line.uncertain),
        speaker=line.speaker,
    )
