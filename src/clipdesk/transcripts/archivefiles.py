"""The pages of a saved archive (a folder or a .zip), read and paired, ready to parse.

Django-free, so the reading (the costly part: HTML parsing) runs in worker processes. A clip page
and its separate transcript page become one `PageJob`: they are paired by the clip page's link to
its /transcript address, or by name (`clip-12.html` and `clip-12-transcript.html`, `.transcript.`,
`_transcript`). A transcript page whose clip page is not in the archive is imported on its own.
"""

import hashlib
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .pagehtml import looks_like_html, read_html

SUFFIXES = (".html", ".htm", ".xhtml", ".txt")
_TRANSCRIPT_NAME = re.compile(r"^(?P<stem>.+?)[-_.]transcript$", re.IGNORECASE)
_TRANSCRIPT_MARK = re.compile(r"^\s*(?:full )?transcript\s*:?\s*$", re.IGNORECASE | re.MULTILINE)
_HEADER_LINE = re.compile(r"^\s*(?:#\s*\d*\s*(?:\|.*)?|source\s*:.*)$", re.IGNORECASE | re.MULTILINE)


@dataclass(slots=True)
class SourceFile:
    name: str  # the path inside the archive, with forward slashes
    text: str = ""
    address: str | None = None
    transcript_address: str | None = None
    digest: str = ""  # SHA-256 of the bytes
    error: str = ""  # why it could not be read

    @property
    def stem(self) -> str:
        return str(PurePosixPath(self.name).with_suffix(""))

    @property
    def transcript_of(self) -> str | None:
        """The stem of the clip page this file is the transcript of, judged by its name or address."""
        match = _TRANSCRIPT_NAME.match(self.stem)
        if match:
            return match["stem"]
        if PurePosixPath(self.name).stem.lower() == "transcript":  # clip-12/transcript.html
            return str(PurePosixPath(self.name).parent)
        if self.address and self.address.rstrip("/").endswith("/transcript"):
            return ""
        return None


@dataclass(slots=True)
class PageJob:
    """One clip to import: the text of its page, with its transcript page's appended."""

    name: str
    text: str
    address: str | None
    digest: str
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""


def list_pages(path: Path) -> list[str]:
    """The page files of a folder or a .zip archive, in a stable order."""
    if path.is_dir():
        names = [p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()]
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if not i.is_dir()]
    else:
        raise ValueError(f"{path}: not a folder nor a .zip archive")
    names = [n for n in names if n.lower().endswith(SUFFIXES) and not PurePosixPath(n).name.startswith(".")]
    return sorted(names)


_open_zips: dict[str, zipfile.ZipFile] = {}


def _read_bytes(root: Path, name: str) -> bytes:
    if root.is_dir():
        return (root / name).read_bytes()
    archive = _open_zips.get(str(root))
    if archive is None:
        archive = _open_zips[str(root)] = zipfile.ZipFile(root)
    return archive.read(name)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else the Windows-1252 that older saved pages use."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_file(root: Path, name: str) -> SourceFile:
    """Read one file: its text (from HTML if it is HTML), address and transcript link. Never raises."""
    result = SourceFile(name)
    try:
        data = _read_bytes(root, name)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        result.error = f"cannot be read: {exc}"
        return result
    result.digest = hashlib.sha256(data).hexdigest()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        result.error = "binary data, not a page"
        return result
    text = decode(data)
    if name.lower().endswith(SUFFIXES[:3]) or looks_like_html(text):
        try:
            page = read_html(text)
        except Exception as exc:  # a parser bug must not stop an archive of thousands
            result.error = f"HTML could not be read: {exc!r}"
            return result
        result.text, result.address, result.transcript_address = (
            page.text,
            page.address,
            page.transcript_address,
        )
    else:
        result.text = text
    return result


def read_files(root: Path, names: list[str]) -> list[SourceFile]:
    """`read_file` for a chunk of names: one task of a reader process."""
    return [read_file(root, name) for name in names]


def transcript_body(text: str) -> str:
    """The transcript part of a separate transcript page: below its 'Transcript' heading, else below
    its header lines, else below its headline."""
    mark = _TRANSCRIPT_MARK.search(text)
    if mark:
        return text[mark.end() :]
    headers = list(_HEADER_LINE.finditer(text))
    if headers:
        return text[headers[-1].end() :]
    return text.strip().split("\n", 1)[1] if "\n" in text.strip() else ""


def _join(clip: SourceFile, transcript: SourceFile) -> PageJob:
    text = f"{clip.text}\n\nTranscript\n\n{transcript_body(transcript.text)}"
    digest = hashlib.sha256(f"{clip.digest}+{transcript.digest}".encode()).hexdigest()
    return PageJob(clip.name, text, clip.address, digest, [clip.name, transcript.name])


def _alone(page: SourceFile, note: str = "") -> PageJob:
    return PageJob(
        page.name, page.text, page.address, page.digest, [page.name], [note] if note else [], page.error
    )


def pair(files: Iterable[SourceFile], names: list[str]) -> Iterator[PageJob]:
    """Jobs from files read in `names` order, pairing clip and transcript pages; a page waits only
    while its partner may still come."""
    stems = {str(PurePosixPath(n).with_suffix("")) for n in names}
    waiting_clips: dict[str, SourceFile] = {}  # by stem and by transcript address
    waiting_transcripts: dict[str, SourceFile] = {}  # by the clip stem it names and by its address
    for page in files:
        if page.error:
            yield _alone(page)
            continue
        of = page.transcript_of
        if of is not None:
            clip = waiting_clips.pop(of, None) if of else None
            if clip is None and page.address:
                clip = waiting_clips.pop(page.address.rstrip("/"), None)
            if clip is not None:
                waiting_clips.pop(clip.stem, None)
                waiting_clips.pop((clip.transcript_address or "").rstrip("/"), None)
                yield _join(clip, page)
            else:
                for key in (of, (page.address or "").rstrip("/")):
                    if key:
                        waiting_transcripts[key] = page
            continue
        link = (page.transcript_address or "").rstrip("/")
        transcript = waiting_transcripts.pop(page.stem, None) or (
            waiting_transcripts.pop(link, None) if link else None
        )
        if transcript is not None:
            for key in (transcript.transcript_of, (transcript.address or "").rstrip("/")):
                waiting_transcripts.pop(key or "", None)
            yield _join(page, transcript)
        elif (
            link
            or any(f"{page.stem}{sep}transcript" in stems for sep in "-_.")
            or (f"{page.stem}/transcript" in stems)
        ):
            waiting_clips[page.stem] = page
            if link:
                waiting_clips[link] = page
        else:
            yield _alone(page)
    done: set[int] = set()
    for page in waiting_clips.values():
        if id(page) not in done:
            done.add(id(page))
            yield _alone(page, "its separate transcript page is not in the archive")
    for page in waiting_transcripts.values():
        if id(page) not in done:
            done.add(id(page))
            yield _alone(page, "a transcript page whose clip page is not in the archive")
