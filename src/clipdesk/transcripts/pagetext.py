"""Read the text of a published clip page into structured data.

Django-free: `parse_page(text)` returns a `ParsedPage` or raises `PageParseError` naming the line
and the reason; it never fails any other way. Real pages vary, so anything the parser can work
around (a missing number, a name spelled two ways, stage directions...) is a warning on the
result, not a failure.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

__all__ = ["CrossReference", "Line", "PageParseError", "ParsedPage", "ParsedSpeaker", "Warning", "parse_page"]

MAX_TITLE = 500  # Clip.title
MAX_NAME = 100  # Channel.name and country, Person.name
QUOTES_OPEN = '"“„«'
QUOTES_CLOSE = '"”»'

# Site furniture around the clip itself: calls to action, share widgets.
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
    )
]
_HEADER = re.compile(r"^#\s*(?P<number>\d+)?\s*(?:\|\s*(?P<duration>.*?))?\s*$")
_DURATION = re.compile(r"^(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})$")
_SOURCE = re.compile(r"^Source\s*:\s*(?P<name>.+?)\s*(?:\((?P<country>[^()]*)\))?\s*$", re.IGNORECASE)
_TURN = re.compile(r"^(?P<label>[^\s:\"“”„«\[(][^:\"“”„«\[\]()]{0,79}?)\s*:\s*(?P<text>\S.*)$")
_AIRED = re.compile(
    r"\baired on (?P<channel>[^()]+?)\s*(?:\((?P<detail>[^()]+)\))?\s+on\s+(?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4})"
)
_REFERENCE = re.compile(
    r"(?P<publisher>(?:[A-Z][\w&'.\-]{0,30}\s+){0,4}?)(?i:clips?)\s*(?:(?i:no)\.?|#)\s*"
    r"(?P<numbers>\d+(?:\s*(?:,|&|\band\b)\s*\d+)*)"
)
_ABOUT = re.compile(r"\bFor more (?:about|on) (?P<name>[^,.;:]{1,150}?),?\s+see\b")
_LEADING_WORDS = {"in", "see", "also", "for", "and", "as", "on", "watch", "view", "more", "about", "the"}
_NAME_PARTICLES = {
    "al",
    "el",
    "bin",
    "ibn",
    "bint",
    "abu",
    "de",
    "da",
    "del",
    "der",
    "van",
    "von",
    "of",
    "the",
    "and",
    "for",
}
_ROLE_WORDS = {
    "host": "host",
    "presenter": "host",
    "moderator": "host",
    "anchor": "anchor",
    "newsreader": "anchor",
    "interviewer": "interviewer",
    "reporter": "reporter",
    "correspondent": "reporter",
}
_NON_PERSON_LABELS = {
    "crowd",
    "audience",
    "narrator",
    "voice",
    "voices",
    "caption",
    "text on screen",
    "announcer",
    "protesters",
    "students",
    "children",
    "participants",
    "video",
    "speaker",
    "caller",
    "sign",
}


class PageParseError(ValueError):
    """The page cannot be understood. Nothing of it should be saved."""

    def __init__(self, source: str, line: int, reason: str):
        super().__init__(f"{source}:{line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Warning:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class ParsedSpeaker:
    label: str
    role: str = ""  # one of _ROLE_WORDS' values, or ""
    is_person: bool = True
    spellings: list[str] = field(default_factory=list)  # other ways the page writes this speaker


@dataclass(frozen=True, slots=True)
class Line:
    speaker: int | None  # index into ParsedPage.speakers; None for a stage direction
    text: str
    line: int


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
    page_date: dt.date | None = None
    summary: str = ""
    speakers: list[ParsedSpeaker] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    references: list[CrossReference] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    @property
    def turns(self) -> int:
        """Runs of consecutive lines by one speaker."""
        count, previous = 0, object()
        for line in self.lines:
            if line.speaker != previous:
                count += 1
                previous = line.speaker
        return count


def parse_date(text: str) -> dt.date | None:
    text = text.strip().replace("Sept.", "Sep.").replace(".", "")
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_duration(text: str) -> int | None:
    match = _DURATION.match(text.strip())
    if not match or int(match["s"]) >= 60 or (match["h"] and int(match["m"]) >= 60):
        return None
    return ((int(match["h"] or 0) * 60 + int(match["m"])) * 60 + int(match["s"])) * 1000


def _is_furniture(text: str) -> bool:
    return any(p.fullmatch(text) for p in _FURNITURE)


def _looks_like_name(label: str) -> bool:
    words = label.split()
    if not 1 <= len(words) <= 8:
        return False
    for word in words:
        head = word.split("-")[0].strip("'’.").lower()  # noqa: RUF001 - typographic apostrophes occur in names
        if head in _NAME_PARTICLES:
            continue
        first = word[0]
        if first.isalpha() and first.islower():
            return False
        if not (first.isalpha() or first.isdigit()):
            return False
        if word.endswith(".") and len(word) > 4:  # "Dr." and "Gen." are fine; a sentence's end is not
            return False
        if any(ch in word for ch in "?!;,"):
            return False
    return True


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _role_of(label: str) -> str:
    words = label.casefold().split()
    while words and words[-1].isdigit():
        words.pop()
    return _ROLE_WORDS.get(words[-1], "") if words else ""


def _strip_quotes(text: str) -> tuple[str, bool]:
    text = text.strip()
    quoted = bool(text) and text[0] in QUOTES_OPEN
    if quoted:
        text = text[1:]
        if text and text[-1] in QUOTES_CLOSE:
            text = text[:-1]
    return text.strip(), quoted


class _Speakers:
    """Resolves the labels of a page to speakers: 'Al-Amine' is 'Ibrahim Al-Amine'."""

    def __init__(self, page: ParsedPage):
        self.page = page
        self.by_label: dict[str, int] = {}

    def resolve(self, label: str, line: int) -> int:
        label = " ".join(label.split())
        if label in self.by_label:
            return self.by_label[label]
        role = _role_of(label)
        for index, speaker in enumerate(self.page.speakers):
            if role or speaker.role:
                continue
            if self._same_name(label, speaker.label):
                if len(label) > len(speaker.label):
                    speaker.spellings.append(speaker.label)
                    speaker.label = label
                else:
                    speaker.spellings.append(label)
                self.by_label[label] = index
                return index
            if self._misspelled(label, speaker.label):
                self.page.warnings.append(
                    Warning(
                        line,
                        f"speaker '{label}' looks like '{speaker.label}' spelled another way; kept as one speaker",
                    )
                )
                speaker.spellings.append(label)
                self.by_label[label] = index
                return index
        is_person = not role and label.casefold() not in _NON_PERSON_LABELS
        self.page.speakers.append(ParsedSpeaker(label=label, role=role, is_person=is_person))
        self.by_label[label] = len(self.page.speakers) - 1
        return self.by_label[label]

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
        return min(len(fa), len(fb)) >= 6 and SequenceMatcher(None, fa, fb).ratio() >= 0.88


def _find_references(text: str, person: str | None) -> list[CrossReference]:
    refs = []
    for match in _REFERENCE.finditer(text):
        words = match["publisher"].split()
        while words and words[0].casefold() in _LEADING_WORDS:
            words.pop(0)
        for number in re.findall(r"\d+", match["numbers"]):
            if not 0 < int(number) < 2**31:
                continue
            refs.append(CrossReference(int(number), " ".join(words), match.group().strip(), person))
    return refs


def parse_page(text: str, source: str = "<page>") -> ParsedPage:
    if "\x00" in text:
        raise PageParseError(source, 1, "the file holds binary data (NUL bytes), not the text of a page")
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [(n, " ".join(raw.split())) for n, raw in enumerate(raw_lines, start=1)]
    lines = [(n, t) for n, t in lines if t and not _is_furniture(t)]
    if not lines:
        raise PageParseError(source, 1, "the page is empty (nothing but blank lines or site furniture)")

    header_at = next((i for i, (_, t) in enumerate(lines) if _HEADER.match(t) and t.startswith("#")), None)
    source_at = next((i for i, (_, t) in enumerate(lines) if _SOURCE.match(t)), None)
    warnings: list[Warning] = []

    number = duration_ms = None
    if header_at is None:
        warnings.append(
            Warning(
                lines[0][0],
                "no '#NUMBER | MM:SS' line: the clip will be imported without a number, as a draft",
            )
        )
    else:
        n, header = lines[header_at]
        match = _HEADER.match(header)
        if match["number"]:
            number = int(match["number"])
            if not 0 < number < 2**31:
                number = None
                warnings.append(
                    Warning(n, f"clip number in '{header}' is out of range: imported without a number")
                )
        else:
            warnings.append(
                Warning(n, f"no clip number in '{header}': imported without a number, as a draft")
            )
        if match["duration"]:
            duration_ms = parse_duration(match["duration"])
            if duration_ms is None:
                warnings.append(Warning(n, f"malformed duration '{match['duration']}': left empty"))
        else:
            warnings.append(Warning(n, "no duration after the clip number"))

    anchor = header_at if header_at is not None else source_at
    if anchor is None:
        # Neither a number nor a source line: the first line must be the headline.
        title_at, body_from = 0, 1
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
        body_from = anchor + 1
    title = lines[title_at][1]
    if len(title) > MAX_TITLE:
        raise PageParseError(
            source,
            lines[title_at][0],
            f"the headline is {len(title)} characters long; the limit is {MAX_TITLE}",
        )

    page_date = next((d for _, t in lines[: max(anchor or 0, title_at)] if (d := parse_date(t))), None)
    page = ParsedPage(
        title=title, number=number, duration_ms=duration_ms, page_date=page_date, warnings=warnings
    )

    if source_at is not None:
        match = _SOURCE.match(lines[source_at][1])
        page.channel, page.country = match["name"].strip(), (match["country"] or "").strip() or None
        if len(page.channel) > MAX_NAME or len(page.country or "") > MAX_NAME:
            raise PageParseError(
                source,
                lines[source_at][0],
                f"the source line is too long for a channel name (limit {MAX_NAME})",
            )
        body_from = max(body_from, source_at + 1)
    else:
        page.warnings.append(
            Warning(lines[title_at][0], "no 'Source: CHANNEL (COUNTRY)' line: the clip has no channel")
        )

    body = lines[body_from:]
    _parse_body(page, body, source)
    _parse_summary_facts(page, lines[body_from][0] if body else lines[-1][0])
    return page


def _parse_body(page: ParsedPage, body: list[tuple[int, str]], source: str) -> None:
    speakers = _Speakers(page)
    summary: list[str] = []
    current: int | None = None
    seen: dict[tuple[int | None, str], int] = {}
    for n, text in body:
        turn = _TURN.match(text)
        if turn and not _looks_like_name(turn["label"]):
            turn = None
        if turn and not page.lines and not summary and turn["text"][0] not in QUOTES_OPEN:
            turn = None  # the paragraph under the source line is the summary, unless it is a quoted turn
        if turn:
            current = speakers.resolve(turn["label"], n)
            spoken, quoted = _strip_quotes(turn["text"])
            if not quoted:
                page.warnings.append(
                    Warning(n, f"turn by '{turn['label']}' is not in quotation marks; read as plain text")
                )
        elif text[0] in QUOTES_OPEN and page.lines:
            spoken, _ = _strip_quotes(text)
            if current is None:
                page.warnings.append(
                    Warning(n, "quoted paragraph after a stage direction: kept without a speaker")
                )
        elif not page.lines:
            summary.append(text)
            continue
        else:
            current = None
            spoken = text
            page.warnings.append(
                Warning(n, f"line with no speaker, kept as a stage direction: '{_short(text)}'")
            )
        if not spoken:
            page.warnings.append(Warning(n, "empty turn skipped"))
            continue
        key = (current, spoken)
        if key in seen:
            page.warnings.append(Warning(n, f"repeats line {seen[key]} word for word (chanting?); kept"))
        else:
            seen[key] = n
        page.lines.append(Line(speaker=current, text=spoken, line=n))
    if not page.lines:
        where = body[-1][0] if body else 1
        raise PageParseError(
            source, where, "no transcript found: expected lines like 'Speaker: \"text\"' after the summary"
        )
    page.summary = "\n\n".join(summary)
    if not summary:
        page.warnings.append(Warning(page.lines[0].line, "no summary paragraph before the transcript"))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_summary_facts(page: ParsedPage, line: int) -> None:
    aired = _AIRED.search(page.summary)
    if aired:
        page.aired_on = parse_date(aired["date"])
        detail = (aired["detail"] or "").strip()
        if detail:
            head, _, tail = detail.rpartition("-")
            if page.country and tail.strip().casefold() == page.country.casefold() and head.strip():
                page.affiliation = head.strip()[:MAX_NAME]
            elif not page.country or detail.casefold() != page.country.casefold():
                page.affiliation = detail[:MAX_NAME]
    if page.aired_on is None:
        page.aired_on = page.page_date
    elif page.page_date and page.page_date != page.aired_on:
        page.warnings.append(
            Warning(
                line,
                f"the page is dated {page.page_date.isoformat()} but the clip aired {page.aired_on.isoformat()}",
            )
        )
    about = _ABOUT.search(page.summary)
    person = about["name"].strip() if about else None
    seen: set[int] = set()
    for ref in _find_references(page.summary, person):
        if ref.number not in seen and ref.number != page.number:
            seen.add(ref.number)
            page.references.append(ref)
