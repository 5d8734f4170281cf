"""Read and write subtitle files (WebVTT and SRT) as plain cues.

Django-free on purpose, so views, management commands and tests can all use it: it needs only the
standard library and the ``srt`` package.

WebVTT is read by a small parser that follows the W3C "WebVTT file parsing" algorithm
(https://w3c.github.io/webvtt/#file-parsing) instead of webvtt-py. webvtt-py 0.6.0 fails three of the
web-platform-tests cases in tests/conformance/webvtt: it keeps NUL characters instead of replacing them
with U+FFFD, accepts timestamps with one-digit minutes or seconds (``00:0:00.000``), treats a vertical
tab as whitespace before the timings, and accepts ``WEBVTTX`` as a signature. It also drops malformed
cues without saying which, and we must report every skipped cue to the person importing the file.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import srt

__all__ = ["Cue", "ReadResult", "SubtitleError", "read_subtitles", "to_srt", "to_webvtt"]


@dataclass(frozen=True, slots=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None  # rendered as a WebVTT <v Speaker> voice tag
    identifier: str | None = None


@dataclass
class ReadResult:
    cues: list[Cue]
    warnings: list[str]  # each names the cue (number/identifier/line) that was skipped and why


class SubtitleError(ValueError):
    """The data is not a subtitle file we can read, or a cue cannot be written."""


# ---------------------------------------------------------------------------------------------- writing


def to_webvtt(cues: Iterable[Cue]) -> str:
    """Return the cues as a WebVTT document.

    Each cue gets its identifier, or its number (1, 2, ...) when it has none. ``&``, ``<`` and ``>`` in
    the text are written as character references, and the speaker as a ``<v Speaker>`` voice span.
    Empty lines inside a text are left out, since an empty line ends a cue in WebVTT.

    Raises SubtitleError for a negative time, or an identifier with a line break or ``-->``.
    """
    blocks = []
    for number, cue in enumerate(cues, start=1):
        _check_times(cue)
        identifier = cue.identifier or str(number)
        if "-->" in identifier or "\n" in identifier or "\r" in identifier:
            raise SubtitleError(f"cue {number}: a WebVTT identifier cannot hold '-->' or a line break")
        text = "\n".join(line for line in _split_lines(cue.text) if line)
        text = _escape(text)
        speaker = " ".join((cue.speaker or "").split())  # the annotation is one line; spaces collapse anyway
        if speaker:
            text = f"<v {_escape(speaker)}>{text}</v>"
        timings = f"{_vtt_timestamp(cue.start_ms)} --> {_vtt_timestamp(cue.end_ms)}"
        blocks.append(f"{identifier}\n{timings}\n{text}".rstrip("\n"))
    return "WEBVTT\n\n" + "".join(block + "\n\n" for block in blocks)


def to_srt(cues: Iterable[Cue]) -> str:
    """Return the cues as an SRT document, numbered 1, 2, ... in the order given.

    SRT has no voice tags, so a speaker is written as a ``Speaker: `` prefix of the text (and is read
    back as part of the text). Text is written as is: SRT has no escaping.

    Raises SubtitleError for a negative time.
    """
    subtitles = []
    for number, cue in enumerate(cues, start=1):
        _check_times(cue)
        content = "\n".join(_split_lines(cue.text))
        if cue.speaker:
            content = f"{cue.speaker}: {content}"
        start, end = timedelta(milliseconds=cue.start_ms), timedelta(milliseconds=cue.end_ms)
        subtitles.append(srt.Subtitle(index=number, start=start, end=end, content=content))
    # reindex=False: with the default, srt.compose sorts the cues and silently drops the ones with
    # empty text or end <= start; we write what we were given.
    return srt.compose(subtitles, reindex=False)


def _check_times(cue: Cue) -> None:
    if cue.start_ms < 0 or cue.end_ms < 0:
        raise SubtitleError(f"cue {cue.identifier or cue.text[:30]!r}: times cannot be negative")


def _vtt_timestamp(ms: int) -> str:
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    seconds, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# ---------------------------------------------------------------------------------------------- reading


def read_subtitles(data: bytes | str, filename: str | None = None) -> ReadResult:
    """Read a WebVTT or SRT file into cues.

    The format is told from the content, never from ``filename`` (which only names the file in error
    messages): a ``WEBVTT`` signature (after an optional byte order mark) means WebVTT, a first block
    made of a number and a line with ``-->`` means SRT. Bytes are decoded as UTF-8 (UTF-16 when they
    start with its byte order mark).

    WebVTT text loses its markup: a ``<v Speaker>`` voice span becomes ``Cue.speaker``, other tags are
    removed and character references decoded. SRT text is kept as is. Cues that cannot be read are
    skipped and described in ``ReadResult.warnings``.

    Raises SubtitleError, and nothing else, whatever the data (TypeError only for an argument that is
    neither bytes nor str).
    """
    where = f"{filename}: " if filename else ""
    warnings: list[str] = []
    if isinstance(data, bytes | bytearray | memoryview):
        text = _decode(bytes(data), warnings)
    elif isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        raise TypeError(f"read_subtitles() takes bytes or str, not {type(data).__name__}")

    if text.startswith("WEBVTT"):
        return ReadResult(_read_webvtt(text, where, warnings), warnings)
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SRT_START.match(normalized):
        return ReadResult(_read_srt(normalized, where, warnings), warnings)

    if not text.strip():
        raise SubtitleError(f"{where}the file is empty: no WebVTT or SRT content")
    first_line = normalized.lstrip().split("\n", 1)[0]
    hint = " (and it is not UTF-8 text)" if warnings else ""
    raise SubtitleError(
        f"{where}not a WebVTT or SRT file{hint}: expected a 'WEBVTT' signature or a numbered SRT cue "
        f"with '-->' at the start, found {first_line[:40]!r}"
    )


def _decode(data: bytes, warnings: list[str]) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The WebVTT spec decodes with replacement characters; we do the same for SRT, and say so.
        warnings.append(f"not valid UTF-8 from byte {error.start}: bad bytes were replaced with U+FFFD")
        return data.decode("utf-8-sig", errors="replace")


# -- WebVTT ---------------------------------------------------------------------------------------------

# ASCII whitespace that can be left inside a line once CR and LF are line breaks. Not \v: the spec's
# whitespace is TAB, LF, FF, CR and SPACE only, so "\v00:00:00.000 --> ..." is not a timing line.
_WS = " \t\f"
# [0-9], not \d: only ASCII digits count in WebVTT timestamps (\d also matches Arabic-Indic digits).
_TIMESTAMP = re.compile(r"([0-9]+):([0-9]+)(?::([0-9]+))?\.([0-9]+)")
# The spec allows any number of hour digits. We stop at 9 so times fit a 64-bit milliseconds column
# (and int() is never asked for a 4300-digit number, which raises ValueError).
_MAX_HOUR_DIGITS = 9
_STYLE_OR_REGION = re.compile(r"(?:STYLE|REGION)[ \t\n\f\r]*")
_NOTE = re.compile(r"NOTE(?:[ \t].*)?")


class _BadTimings(Exception):
    pass


def _read_webvtt(text: str, where: str, warnings: list[str]) -> list[Cue]:
    # Parser algorithm steps 1 and 4-6: NUL becomes U+FFFD, CRLF and CR become LF, and the signature is
    # "WEBVTT" alone or followed by a space, a tab or a line break.
    text = text.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > 6 and text[6] not in " \t\n":
        raise SubtitleError(
            f"{where}invalid WebVTT signature: 'WEBVTT' must be followed by a space, a tab or a line "
            f"break, found {text[:12]!r}"
        )
    lines = text.split("\n")
    # The header runs to the first empty line; a line with "-->" ends it early and starts the first cue.
    i = 1
    while i < len(lines) and lines[i] and "-->" not in lines[i]:
        i += 1

    cues: list[Cue] = []
    seen_cue = False
    attempts = 0  # cue blocks met so far, kept or not: the number a warning names
    while i < len(lines):
        if not lines[i]:
            i += 1
            continue
        first = i
        i, identifier, timing_line, timings, text_lines = _collect_block(lines, i, seen_cue)
        if timing_line is None:
            # NOTE (comments), STYLE and REGION blocks are dropped by design; anything else was meant
            # to be read, usually cue text cut off from its cue by an empty line.
            if not (
                _NOTE.fullmatch(lines[first]) or (not seen_cue and _STYLE_OR_REGION.fullmatch(lines[first]))
            ):
                warnings.append(f"line {first + 1}: skipped a block without cue timings: {lines[first]!r}")
            continue
        attempts += 1
        label = f"cue {attempts} (line {timing_line + 1}" + (f", id {identifier!r})" if identifier else ")")
        if isinstance(timings, str):
            warnings.append(f"{label}: skipped, {timings}: {lines[timing_line]!r}")
            continue
        seen_cue = True
        start_ms, end_ms = timings
        if end_ms < start_ms:
            # The parser keeps such a cue (wpt timings-negative); it is never shown, so say so.
            warnings.append(f"{label}: kept, but it ends before it starts")
        plain, speaker = _plain_text("\n".join(text_lines))
        cues.append(Cue(start_ms, end_ms, plain, speaker, identifier or None))
    return cues


def _collect_block(
    lines: list[str], i: int, seen_cue: bool
) -> tuple[int, str, int | None, tuple[int, int] | str | None, list[str]]:
    """Spec "collect a WebVTT block" (not in the header), over lines instead of characters.

    Returns (next line index, identifier, index of the timing line or None, (start_ms, end_ms) or the
    reason the timings are invalid, text lines).
    """
    buffer: list[str] = []
    identifier = ""
    timing_line = timings = None
    previous = i
    count = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        count += 1
        if "-->" in line:
            # Only the first line, or the second after an identifier, can hold the timings; any later
            # line with "-->" starts the next block.
            if count == 1 or (count == 2 and timing_line is None):
                previous = i
                timing_line = i - 1
                identifier, buffer = "\n".join(buffer), []
                try:
                    timings = _parse_timings(line)
                except _BadTimings as error:
                    timings = str(error)
            else:
                i = previous
                break
        elif not line:
            break
        else:
            if count == 2 and not seen_cue and _STYLE_OR_REGION.fullmatch("\n".join(buffer)):
                buffer = []  # the block is a style sheet or a region: its lines are not text
            buffer.append(line)
            previous = i
    return i, identifier, timing_line, timings, buffer


def _parse_timings(line: str) -> tuple[int, int]:
    """Spec "collect WebVTT cue timings and settings"; the settings are ignored (placement is the
    player's business), so whatever follows the end time is allowed."""
    pos = len(line) - len(line.lstrip(_WS))
    start_ms, pos = _parse_timestamp(line, pos, "start")
    pos = len(line) - len(line[pos:].lstrip(_WS))
    if not line.startswith("-->", pos):
        raise _BadTimings("no '-->' after the start time")
    pos = len(line) - len(line[pos + 3 :].lstrip(_WS))
    end_ms, _ = _parse_timestamp(line, pos, "end")
    return start_ms, end_ms


def _parse_timestamp(line: str, pos: int, which: str) -> tuple[int, int]:
    """Spec "collect a WebVTT timestamp": [hours:]mm:ss.ttt, hours of any length (we cap them), minutes
    and seconds of exactly two digits and at most 59, exactly three digits of milliseconds."""
    match = _TIMESTAMP.match(line, pos)
    if not match:
        raise _BadTimings(f"{which} time is not a timestamp")
    first, second, third, fraction = match.groups()
    if third is None:
        # Two fields before the dot are minutes and seconds, unless the first cannot be minutes.
        if len(first) != 2 or int(first) > 59:
            raise _BadTimings(f"{which} time has hours but no seconds")
        first, second, third = "0", first, second
    if len(second) != 2 or len(third) != 2 or len(fraction) != 3:
        raise _BadTimings(f"{which} time needs two-digit minutes and seconds and three-digit milliseconds")
    if len(first) > _MAX_HOUR_DIGITS:
        raise _BadTimings(f"{which} time is out of range")
    hours, minutes, seconds = int(first), int(second), int(third)
    if minutes > 59 or seconds > 59:
        raise _BadTimings(f"{which} time has minutes or seconds above 59")
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + int(fraction), match.end()


# A tag runs from "<" to ">". Unlike the spec's cue text tokenizer, a "<" with no ">" after it stays
# text instead of swallowing the rest of the cue: files that forget to write "&lt;" keep their words.
# Excluding "<" from the tag body keeps the scan linear on text with many unclosed "<".
_TAG = re.compile(r"<([^<>]*)>")
_ASCII_SPACES = re.compile(r"[ \t\n\f\r]+")


def _plain_text(raw: str) -> tuple[str, str | None]:
    """Cue text without markup, and its speaker.

    A cue with one speaker returns it apart; a cue with several keeps each as a "Name: " prefix where
    its voice span starts, so nobody's words are attributed to someone else.
    """
    parts: list[str] = []
    voices: dict[int, str] = {}  # index in parts -> annotation of the voice span starting there
    pos = 0
    for match in _TAG.finditer(raw):
        parts.append(html.unescape(raw[pos : match.start()]))
        pos = match.end()
        # "v.loud Esme" is the tag name "v", a class, and the annotation "Esme"; "/v" is an end tag.
        name, _, annotation = _ASCII_SPACES.sub(" ", match.group(1)).partition(" ")
        annotation = _ASCII_SPACES.sub(" ", html.unescape(annotation)).strip(" ")
        if name.split(".")[0] == "v" and annotation:
            voices[len(parts)] = annotation
    parts.append(html.unescape(raw[pos:]))
    speakers = set(voices.values())
    if len(speakers) == 1:
        return "".join(parts), speakers.pop()
    for index in sorted(voices, reverse=True):
        parts.insert(index, f"{voices[index]}: ")
    return "".join(parts), None


# -- SRT ------------------------------------------------------------------------------------------------

# The first thing in the file is a cue number, and the next line holds "-->".
_SRT_START = re.compile(r"[ \t\n]*[0-9]+[ \t]*\n[^\n]*-->")
# srt 3.5.3's SRT_REGEX takes cubic time on a run of digits that no cue takes in (300 digits: 0.3 s,
# 1,000 digits: 8 s). No subtitle needs a 41-digit number, so we refuse such a file before srt sees it.
_LONG_NUMBER = re.compile(r"[0-9]{41}")


def _read_srt(text: str, where: str, warnings: list[str]) -> list[Cue]:
    if long_number := _LONG_NUMBER.search(text):
        line = text.count("\n", 0, long_number.start()) + 1
        raise SubtitleError(
            f"{where}line {line}: a number of more than 40 digits has no place in an SRT file"
        )
    cues: list[Cue] = []
    offset = 0
    # srt.parse raises SRTParseError at the first run of text it cannot read (ignore_errors=True would
    # only log it). The error says where the next cue starts, so we note the skipped text and parse on
    # from there.
    while offset < len(text):
        try:
            for subtitle in srt.parse(text[offset:]):
                cues.append(
                    Cue(
                        subtitle.start // timedelta(milliseconds=1),
                        subtitle.end // timedelta(milliseconds=1),
                        subtitle.content,
                        identifier=None if subtitle.index is None else str(subtitle.index),
                    )
                )
            break
        except srt.SRTParseError as error:
            skipped = error.unmatched_content
            start = offset + error.expected_start + len(skipped) - len(skipped.lstrip())
            line, first_line = text.count("\n", 0, start) + 1, skipped.strip().split("\n", 1)[0]
            warnings.append(f"line {line}: skipped text that is not an SRT cue: {first_line[:60]!r}")
            offset += error.actual_start
        except (OverflowError, ValueError) as error:
            # A timestamp beyond timedelta's range (hours > 2.4e10): the generator is dead, so this cue
            # cannot be skipped like the others.
            raise SubtitleError(
                f"{where}SRT cue {len(cues) + 1} has an impossible time or number: {error}"
            ) from None
    return cues
