"""Read the text of a published clip page into structured data.

Django-free: `parse_page(text)` returns a `ParsedPage` or raises `PageParseError` naming the line
and the reason; it never fails any other way, and it refuses only a page with nothing usable (no
headline, or a headline and nothing else). Real pages vary over twenty years of layouts, so
anything the parser can work around is a warning on the result; what an editor must check (a
paragraph it could not place, a name spelled two ways, a damaged label) is a warning marked
`review`. See speakerlabels.py for how "Label:" is read.
"""

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .speakerlabels import Label, clean_markup, read_label

__all__ = [
    "CrossReference",
    "Line",
    "PageParseError",
    "ParsedPage",
    "ParsedSpeaker",
    "Warning",
    "parse_date",
    "parse_page",
]

MAX_TITLE = 500  # Clip.title
MAX_NAME = 100  # Channel.name and country, Person.name
QUOTES_OPEN = '"“„«'
QUOTES_CLOSE = '"”»'

# Site furniture around the clip itself: calls to action, share widgets, layout switches.
_FURNITURE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"donate( today| now)?[.!]?",
        r"subscribe( today| now)?[.!]?",
        r"request (a )?clip[.!]?",
        r"share( this)? (video|clip)\s*:?",
        r"share\s*:?",
        r"donations from readers like you\b.*",
        r"subscribe to receive\b.*",
        r"media, government,? and academia can request\b.*",
        r"(show|hide) details",
        r"(show|view|read|see) (the )?(full )?transcript\s*[.:»>]*",
        r"(print|email|back to top|skip to (main )?content)",
    )
]
_HEADER = re.compile(r"^#\s*(?P<number>\d+)?\s*(?:\|\s*(?P<duration>.*?))?\s*$")
_CLIP_NO = re.compile(r"^clip\s*(?:no\.?|number|#)\s*:?\s*(?P<number>\d+)?\s*$", re.IGNORECASE)
_DURATION_LINE = re.compile(r"^(?:duration|length|running time)\s*:\s*(?P<duration>.+)$", re.IGNORECASE)
_DURATION = re.compile(r"^(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})$")
_SOURCE = re.compile(
    r"^(?:Source|Channel|Network)\s*:\s*(?P<name>.*?)\s*(?:\((?P<detail>[^()]*)\))?\s*$", re.IGNORECASE
)
_INTRO = re.compile(r"^(?:intro|introduction|summary)\s*:\s*(?P<text>.*)$", re.IGNORECASE)
_TRANSCRIPT_MARK = re.compile(r"^(?:full )?transcript\s*:?\s*$", re.IGNORECASE)
_PENDING = re.compile(r"^[^:]{0,40}\btranscripts?\b.{0,60}\bpending\b.{0,40}$", re.IGNORECASE)
_TURN = re.compile(r"^(?P<label>[^:\"“”„«\[\]]{1,150}?)\s*:\s*(?P<text>.*)$")
_STAGE = re.compile(r"^(?:\[[^\[\]]+\]|\([^()]+\))[.!]?$")
_OMISSION = re.compile(r"^(?:\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\)|…|\.\.\.)$")
_AIRED = re.compile(
    r"\baired on (?P<channel>[^()]+?)\s*(?:\((?P<detail>[^()]+)\))?\s+on\s+(?P<date>[A-Z][a-z]+\.? \d{1,2}(?:\s*[-\u2013]\s*\d{1,2})?, \d{4})"
)
_MONTH = r"[A-Z][a-z]{2,8}\.?"
_DATE_TEXT = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:\s*[-\u2013]\s*(?:{_MONTH}\s+)?\d{{1,2}})?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:\s*[-\u2013]\s*\d{{1,2}})?\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
)
_AIR_DATE = re.compile(
    r"\b(?:aired|broadcast|televised|posted(?: online)?|uploaded|published online|streamed|released)\b"
    rf"[^.!?]{{0,200}}?\bon\s+(?P<date>{_DATE_TEXT})"
)
_RANGE = re.compile(
    rf"^(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})\s*[-\u2013]\s*(?:(?P<m2>{_MONTH})\s+)?(?P<d2>\d{{1,2}}),?\s+(?P<y>\d{{4}})$"
    rf"|^(?P<dd1>\d{{1,2}})\s*[-\u2013]\s*(?P<dd2>\d{{1,2}})\s+(?P<mm>{_MONTH})\s+(?P<yy>\d{{4}})$"
)
_REFERENCE = re.compile(
    r"(?P<publisher>(?:[A-Z][\w&'.\-]{0,30}\s+){0,4}?)(?i:clips?)\s*(?:(?i:nos?|numbers?)\.?|#)\s*"
    r"(?P<numbers>\d+(?:\s*(?:,\s*(?:and\s+)?|&|\band\b|\bor\b)\s*(?:#|(?i:no)\.?\s*)?\d+)*)"
)
_ABOUT = re.compile(r"\bFor more (?:about|on) (?P<name>[^,.;:]{1,150}?),?\s+see\b")
_SENTENCE_END = re.compile(r"[.!?][\"\u201d\u2019)]?\s+(?=[A-Z\"“])")
_ABBREVIATIONS = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "gen",
    "prof",
    "st",
    "no",
    "nos",
    "lt",
    "col",
    "maj",
    "capt",
    "jr",
    "sr",
    "vs",
}
_LEADING_WORDS = {"in", "see", "also", "for", "and", "as", "on", "watch", "view", "more", "about", "the"}
_HYPHENATED_COUNTRIES = {"guinea-bissau", "timor-leste"}


class PageParseError(ValueError):
    """The page holds nothing usable. Nothing of it should be saved."""

    def __init__(self, source: str, line: int, reason: str):
        super().__init__(f"{source}:{line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Warning:
    line: int
    message: str
    review: bool = False  # an editor must check it: the worklist's "needs review"

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class ParsedSpeaker:
    label: str  # the name for a person; the label as printed for a role, group or other voice
    role: str = ""  # one of speakerlabels.ROLE_WORDS' values, or ""
    is_person: bool = True
    spellings: list[str] = field(default_factory=list)  # shorter forms: "Al-Amine" for "Ibrahim Al-Amine"
    description: str = ""  # "Syrian analyst", as printed beside the name
    kind: str = "person"  # person, role, group or label
    suggested_aliases: list[str] = field(default_factory=list)  # near-duplicate spellings, for an editor


@dataclass(frozen=True, slots=True)
class Line:
    speaker: int | None  # index into ParsedPage.speakers; None for an editorial line
    text: str
    line: int
    editorial: bool = False  # a note, stage direction or narration: not speech


@dataclass(frozen=True, slots=True)
class CrossReference:
    number: int
    publisher: str
    text: str
    person: str | None = None


@dataclass(slots=True)
class ParsedPage:
    title: str
    number: int | None = None
    duration_ms: int | None = None
    channel: str | None = None
    country: str | None = None
    affiliation: str | None = None
    aired_on: dt.date | None = None
    aired_until: dt.date | None = None  # the last day of a range: "March 2-3, 2012"
    page_date: dt.date | None = None
    summary: str = ""
    speakers: list[ParsedSpeaker] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    references: list[CrossReference] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    transcript_pending: bool = False
    text_hash: str = ""  # SHA-256 of the page's lines as read, furniture and spacing aside

    @property
    def turns(self) -> int:
        """Runs of consecutive lines by one speaker."""
        count, previous = 0, object()
        for line in self.lines:
            if line.speaker != previous:
                count += 1
                previous = line.speaker
        return count

    @property
    def review(self) -> list[Warning]:
        return [w for w in self.warnings if w.review]

    @property
    def has_transcript(self) -> bool:
        return any(line.speaker is not None for line in self.lines)


def parse_date(text: str) -> dt.date | None:
    text = text.strip().replace("Sept.", "Sep.").replace(".", "")
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_date_range(text: str) -> tuple[dt.date | None, dt.date | None]:
    """'March 2-3, 2012' is (March 2, March 3); a single date is (date, None)."""
    text = " ".join(text.replace("\u2013", "-").split())
    match = _RANGE.match(text)
    if not match:
        return parse_date(text), None
    if match["m1"]:
        year = match["y"]
        start = parse_date(f"{match['m1']} {match['d1']}, {year}")
        end = parse_date(f"{match['m2'] or match['m1']} {match['d2']}, {year}")
    else:
        start = parse_date(f"{match['dd1']} {match['mm']} {match['yy']}")
        end = parse_date(f"{match['dd2']} {match['mm']} {match['yy']}")
    if start is None or end is None or end <= start:
        return start, None
    return start, end


def parse_duration(text: str) -> int | None:
    match = _DURATION.match(text.strip())
    if not match or int(match["s"]) >= 60 or (match["h"] and int(match["m"]) >= 60):
        return None
    return ((int(match["h"] or 0) * 60 + int(match["m"])) * 60 + int(match["s"])) * 1000


def _is_furniture(text: str) -> bool:
    return any(p.fullmatch(text) for p in _FURNITURE)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _strip_quotes(text: str) -> tuple[str, bool]:
    text = text.strip()
    quoted = bool(text) and text[0] in QUOTES_OPEN
    if quoted:
        text = text[1:]
        if text and text[-1] in QUOTES_CLOSE:
            text = text[:-1]
    return text.strip(), quoted


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _split_detail(detail: str) -> tuple[str | None, str | None]:
    """'(Lebanon)' is a country; '(Hizbullah-Lebanon)' and '(Hamas/Gaza)' an affiliation and a country."""
    detail = detail.strip()
    if not detail:
        return None, None
    for joint in ("/", "-"):
        head, _, tail = detail.rpartition(joint)
        if head.strip() and tail.strip() and detail.casefold() not in _HYPHENATED_COUNTRIES:
            return head.strip()[:MAX_NAME], tail.strip()[:MAX_NAME]
    return None, detail[:MAX_NAME]


class _Speakers:
    """Resolves the labels of a page to speakers: 'Al-Amine' is 'Ibrahim Al-Amine'; 'Rami Khaleel'
    is read as 'Rami Khalil' but flagged for an editor, with the spelling suggested as an alias."""

    def __init__(self, page: ParsedPage):
        self.page = page
        self.by_name: dict[str, int] = {}

    def resolve(self, label: Label, line: int) -> int:
        name = label.name
        if label.damaged:
            self.page.warnings.append(
                Warning(line, f"damaged label '{label.damaged}' read as '{name}': check the spelling", True)
            )
        key = f"{label.kind}:{name.casefold()}"
        if key in self.by_name:
            return self._described(self.by_name[key], label)
        if label.kind == "person":
            for index, speaker in enumerate(self.page.speakers):
                if speaker.kind != "person":
                    continue
                if self._same_name(name, speaker.label):
                    if len(name) > len(speaker.label):
                        speaker.spellings.append(speaker.label)
                        speaker.label = name
                    else:
                        speaker.spellings.append(name)
                    self.by_name[key] = index
                    return self._described(index, label)
                if self._misspelled(name, speaker.label):
                    self.page.warnings.append(
                        Warning(
                            line,
                            f"speaker '{name}' looks like '{speaker.label}' spelled another way: read as one "
                            f"speaker; check it, and add '{name}' as an alias if it is the same person",
                            True,
                        )
                    )
                    speaker.suggested_aliases.append(name)
                    self.by_name[key] = index
                    return self._described(index, label)
        self.page.speakers.append(
            ParsedSpeaker(
                label=name,
                role=label.role or ("group" if label.kind == "group" else ""),
                is_person=label.is_person,
                description=label.description,
                kind=label.kind,
            )
        )
        self.by_name[key] = len(self.page.speakers) - 1
        return self.by_name[key]

    def _described(self, index: int, label: Label) -> int:
        speaker = self.page.speakers[index]
        if label.description and not speaker.description:
            speaker.description = label.description
        if label.role and not speaker.role:
            speaker.role = label.role
        return index

    @staticmethod
    def _same_name(a: str, b: str) -> bool:
        """One name is the other's trailing words: 'Al-Amine' and 'Ibrahim Al-Amine'."""
        wa, wb = a.casefold().split(), b.casefold().split()
        short, long = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
        return short != long and long[-len(short) :] == short

    @staticmethod
    def _misspelled(a: str, b: str) -> bool:
        fa, fb = _fold(a), _fold(b)
        if not fa or not fb:
            return False
        if fa == fb:
            return True
        return min(len(fa), len(fb)) >= 6 and SequenceMatcher(None, fa, fb).ratio() >= 0.85


def _find_references(text: str, person: str | None) -> list[CrossReference]:
    refs = []
    for match in _REFERENCE.finditer(text):
        words = match["publisher"].split()
        while words and words[0].casefold() in _LEADING_WORDS:
            words.pop(0)
        for number in re.findall(r"\d+", match["numbers"]):
            if not 0 < int(number) < 2**31:
                continue
            refs.append(CrossReference(int(number), " ".join(words), match.group().strip()[:500], person))
    return refs


def _sentences(text: str) -> list[str]:
    """Sentences of a paragraph, not cut after 'Dr.' or 'No.'."""
    result, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        word = text[start : match.start() + 1].rsplit(None, 1)[-1].rstrip(".").casefold()
        if word in _ABBREVIATIONS or len(word) == 1:
            continue
        result.append(text[start : match.end()].strip())
        start = match.end()
    result.append(text[start:].strip())
    return [s for s in result if s]


@dataclass(slots=True)
class _Header:
    title_at: int
    body_from: int
    number: int | None = None
    duration_ms: int | None = None
    source_at: int | None = None
    intro: bool = False  # the older layout's "Intro:" opens the summary
    transcript_at: int | None = None  # a "Transcript" heading: the transcript starts below it


def parse_page(text: str, source: str = "<page>") -> ParsedPage:
    if "\x00" in text:
        raise PageParseError(source, 1, "the file holds binary data (NUL bytes), not the text of a page")
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [(n, " ".join(raw.split())) for n, raw in enumerate(raw_lines, start=1)]
    lines = [(n, t) for n, t in lines if t and not _is_furniture(t)]
    if not lines:
        raise PageParseError(source, 1, "the page is empty (nothing but blank lines or site furniture)")
    warnings: list[Warning] = []
    pending = [i for i, (_, t) in enumerate(lines) if len(t) < 160 and _PENDING.match(t)]
    transcript_pending = bool(pending)
    lines = [line for i, line in enumerate(lines) if i not in set(pending)]
    if not lines:
        raise PageParseError(source, 1, "the page holds nothing but a 'transcript pending' notice")

    header = _read_header(lines, source, warnings)
    title = lines[header.title_at][1]
    if len(title) > MAX_TITLE:
        cut = title[:MAX_TITLE].rsplit(" ", 1)[0]
        warnings.append(
            Warning(
                lines[header.title_at][0],
                f"the headline is {len(title)} characters long (limit {MAX_TITLE}): cut, check it",
                True,
            )
        )
        title = cut
    before = [t for i, (_, t) in enumerate(lines) if i < header.title_at]
    page_date = next((d for t in before if (d := parse_date(t))), None)
    if page_date is None and header.source_at is None and header.number is None:
        page_date = None
    page = ParsedPage(
        title=title,
        number=header.number,
        duration_ms=header.duration_ms,
        page_date=page_date,
        warnings=warnings,
        transcript_pending=transcript_pending,
        text_hash=hashlib.sha256("\n".join(t for _, t in lines).encode()).hexdigest(),
    )
    if header.source_at is not None:
        match = _SOURCE.match(lines[header.source_at][1])
        name = match["name"].strip()
        page.affiliation, page.country = _split_detail(match["detail"] or "")
        if name:
            page.channel = name[:MAX_NAME]
            if len(name) > MAX_NAME:
                warnings.append(
                    Warning(lines[header.source_at][0], f"channel name cut to {MAX_NAME} characters", True)
                )
        else:
            warnings.append(Warning(lines[header.source_at][0], "empty source line: the clip has no channel"))
    else:
        warnings.append(
            Warning(lines[header.title_at][0], "no 'Source: CHANNEL (COUNTRY)' line: the clip has no channel")
        )

    body = lines[header.body_from :]
    if not body and header.title_at == len(lines) - 1 and header.source_at is None and header.number is None:
        raise PageParseError(source, lines[header.title_at][0], "the page has a headline and nothing else")
    _parse_body(page, body, header)
    _parse_summary_facts(page, body[0][0] if body else lines[-1][0])
    return page


def _read_header(lines: list[tuple[int, str]], source: str, warnings: list[Warning]) -> _Header:
    """Where the headline is, the clip's number and duration, the source line, and where the body starts."""
    number_at = next(
        (
            i
            for i, (_, t) in enumerate(lines)
            if (t.startswith("#") and _HEADER.match(t)) or _CLIP_NO.match(t)
        ),
        None,
    )
    source_at = next((i for i, (_, t) in enumerate(lines[:40]) if _SOURCE.match(t)), None)
    if source_at is not None and number_at is not None and source_at > number_at + 6:
        source_at = None  # a "Channel:" far below the header is text, not the source line
    number = None
    duration_text = None
    if number_at is None:
        warnings.append(
            Warning(
                lines[0][0],
                "no '#NUMBER | MM:SS' line: the clip will be imported without a number, as a draft",
            )
        )
    else:
        n, text = lines[number_at]
        match = _HEADER.match(text) if text.startswith("#") else _CLIP_NO.match(text)
        if match["number"]:
            number = int(match["number"])
            if not 0 < number < 2**31:
                number = None
                warnings.append(
                    Warning(n, f"clip number in '{text}' is out of range: imported without a number")
                )
        else:
            warnings.append(Warning(n, f"no clip number in '{text}': imported without a number, as a draft"))
        duration_text = match.groupdict().get("duration")
    anchors = [i for i in (number_at, source_at) if i is not None]
    anchor = min(anchors) if anchors else None
    last_header = max(anchors) if anchors else None
    if anchor is None:
        title_at = next((i for i, (_, t) in enumerate(lines) if parse_date(t) is None), 0)
        body_from = title_at + 1
    else:
        title_at = next(
            (
                i
                for i in range(anchor - 1, -1, -1)
                if parse_date(lines[i][1]) is None and not _HEADER.match(lines[i][1])
            ),
            None,
        )
        if title_at is None:
            raise PageParseError(
                source, lines[anchor][0], "no headline above the clip number and source lines"
            )
        body_from = last_header + 1
    # Header lines of the older layouts, in any order right below: duration, source, "Intro:".
    header = _Header(title_at, body_from, number, None, source_at)
    for _, text in lines[anchor + 1 if anchor is not None else 0 : body_from]:
        if (match := _DURATION_LINE.match(text)) and duration_text is None:
            duration_text = match["duration"]
    while header.body_from < len(lines):
        n, text = lines[header.body_from]
        if (match := _DURATION_LINE.match(text)) and duration_text is None:
            duration_text = match["duration"]
        elif _CLIP_NO.match(text) or (text.startswith("#") and _HEADER.match(text)):
            pass
        elif _SOURCE.match(text) and header.source_at is None:
            header.source_at = header.body_from
        else:
            break
        header.body_from += 1
    if number_at is not None:
        n = lines[number_at][0]
        if duration_text:
            header.duration_ms = parse_duration(duration_text)
            if header.duration_ms is None:
                warnings.append(Warning(n, f"malformed duration '{duration_text}': left empty"))
        elif lines[number_at][1].startswith("#"):
            warnings.append(Warning(n, "no duration after the clip number"))
    header.transcript_at = next(
        (i for i in range(header.body_from, len(lines)) if _TRANSCRIPT_MARK.match(lines[i][1])), None
    )
    return header


def _classify(text: str) -> tuple[str, Label | None, str]:
    """A body paragraph's kind: turn, editorial, omission, quoted or plain; the label; the text."""
    if _OMISSION.match(text):
        return "omission", None, text
    if _STAGE.match(text):
        return "editorial", None, text
    turn = _TURN.match(text)
    if turn:
        label = read_label(turn["label"])
        if label and label.kind == "editorial":
            return "editorial", None, text
        if label:
            return "turn", label, turn["text"]
    if text[0] in QUOTES_OPEN:
        return "quoted", None, text
    return "plain", None, text


def _parse_body(page: ParsedPage, body: list[tuple[int, str]], header: _Header) -> None:
    items = []
    for n, text in body:
        if _TRANSCRIPT_MARK.match(text):
            items.append((n, "mark", None, text))
            continue
        intro = _INTRO.match(text)
        if intro:
            header.intro = True
            if intro["text"]:
                items.append((n, "plain", None, intro["text"]))
            continue
        kind, label, spoken = _classify(text)
        items.append((n, kind, label, spoken))
    turns = [(i, it) for i, it in enumerate(items) if it[1] == "turn"]
    quoted_style = sum(1 for _, it in turns if it[3][:1] in QUOTES_OPEN) * 2 >= len(turns) if turns else True
    start = _transcript_start(items, turns, header)
    summary = [it[3] for it in items[:start] if it[1] in ("plain", "quoted", "turn")]
    preface = [it for it in items[:start] if it[1] in ("editorial", "omission")]
    page.summary = "\n\n".join(summary)

    speakers = _Speakers(page)
    current: int | None = None
    seen: dict[tuple[int | None, str], int] = {}

    def add(line: Line) -> None:
        key = (line.speaker, line.text)
        if key in seen:
            page.warnings.append(
                Warning(line.line, f"repeats line {seen[key]} word for word (chanting?); kept")
            )
        else:
            seen[key] = line.line
        page.lines.append(line)

    for n, _kind, _label, text in preface:
        add(Line(None, clean_markup(text), n, editorial=True))
    for n, kind, label, text in items[start:]:
        if kind == "mark":
            continue
        if kind == "turn":
            current = speakers.resolve(label, n)
            spoken, quoted = _strip_quotes(text)
            if not quoted and quoted_style and spoken:
                page.warnings.append(
                    Warning(n, f"turn by '{label.name}' is not in quotation marks; read as plain text")
                )
            if spoken:
                add(Line(current, clean_markup(spoken), n))
        elif kind == "editorial":
            add(Line(None, clean_markup(text), n, editorial=True))
        elif kind == "omission":
            add(Line(current, text, n, editorial=current is None))
        elif kind == "quoted" or (kind == "plain" and not quoted_style and current is not None):
            spoken, _ = _strip_quotes(text)
            if current is None:
                page.warnings.append(
                    Warning(
                        n, f"paragraph with no speaker before it: '{_short(spoken)}'; kept without one", True
                    )
                )
            if spoken:
                add(Line(current, clean_markup(spoken), n, editorial=current is None))
        else:
            page.warnings.append(
                Warning(n, f"unlabelled paragraph kept as an editorial line: '{_short(text)}'")
            )
            add(Line(None, clean_markup(text), n, editorial=True))
    if not page.has_transcript:
        if page.transcript_pending:
            page.warnings.append(
                Warning(body[0][0] if body else 1, "the transcript is pending: imported with none")
            )
        else:
            page.warnings.append(
                Warning(
                    body[-1][0] if body else 1,
                    "no transcript found (no line like 'Speaker: \"text\"'): imported as a draft without one",
                    True,
                )
            )
    elif not page.summary:
        page.warnings.append(Warning(page.lines[0].line, "no summary paragraph before the transcript"))


def _transcript_start(items: list, turns: list, header: _Header) -> int:
    """The index of the body paragraph where the transcript starts; the summary is above it."""
    marks = [i for i, it in enumerate(items) if it[1] == "mark"]
    if marks:
        return marks[0]
    for i, (_, _kind, label, text) in turns:
        if i > 0 or header.intro or text[:1] in QUOTES_OPEN:
            return i
        # The first paragraph is a turn only if its speaker speaks again, or is a role: otherwise it
        # is a summary that happens to hold a colon.
        again = any(other.name == label.name for _, (_, _, other, _) in turns[1:])
        if again or label.kind in ("role", "group"):
            return i
    if turns:
        return turns[1][0] if len(turns) > 1 else len(items)
    quoted = [i for i, it in enumerate(items) if it[1] == "quoted" and i > 0]
    return quoted[0] if quoted else len(items)


def _parse_summary_facts(page: ParsedPage, line: int) -> None:
    aired = _AIRED.search(page.summary)
    if aired:
        detail = (aired["detail"] or "").strip()
        affiliation, country = _split_detail(detail)
        if affiliation and (not page.country or (country or "").casefold() == page.country.casefold()):
            page.affiliation = page.affiliation or affiliation
        elif detail and not page.country and not affiliation:
            page.country = page.country or country
    air_date = _AIR_DATE.search(page.summary)
    if air_date:
        page.aired_on, page.aired_until = parse_date_range(air_date["date"])
    if page.aired_on is None:
        page.aired_on = page.page_date
    elif page.page_date and page.page_date != page.aired_on:
        page.warnings.append(
            Warning(
                line,
                f"the page is dated {page.page_date.isoformat()} but the clip aired {page.aired_on.isoformat()}",
            )
        )
    if page.aired_until:
        page.warnings.append(
            Warning(
                line,
                f"aired over several days: {page.aired_on.isoformat()} to {page.aired_until.isoformat()}",
            )
        )
    seen: dict[int, int] = {}
    for sentence in _sentences(page.summary.replace("\n\n", " ")):
        about = _ABOUT.search(sentence)
        person = about["name"].strip() if about else None
        for ref in _find_references(sentence, person):
            if ref.number == page.number:
                continue
            if ref.number in seen:
                old = page.references[seen[ref.number]]
                if old.person is None and ref.person:
                    page.references[seen[ref.number]] = ref
                continue
            seen[ref.number] = len(page.references)
            page.references.append(ref)
