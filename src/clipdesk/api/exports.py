"""The published archive in bulk: JSON Lines (one clip document per line) or CSV (one row per line of
transcript). Clips are read in chunks and written as they come, so memory stays flat however large
the archive is.
"""

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from clipdesk.archive.models import Clip, ClipQuerySet
from clipdesk.transcripts.export import clip_document

FORMATS = ("jsonl", "csv")
CHUNK = 200
CSV_COLUMNS = [
    "number",
    "title",
    "channel",
    "aired_on",
    "position",
    "start_ms",
    "end_ms",
    "speaker",
    "original_language",
    "original_text",
    "english_text",
    "note",
]


def published_clips() -> ClipQuerySet:
    return (
        Clip.objects.published()
        .select_related("channel")
        .prefetch_related("topics", "people", "references")
        .order_by("number")
    )


def documents(clips: ClipQuerySet, chunk_size: int = CHUNK) -> Iterator[dict]:
    """`clip_document` of each clip, fetching `chunk_size` clips (and their prefetches) at a time."""
    for clip in clips.iterator(chunk_size=chunk_size):
        yield clip_document(clip)


def csv_rows(document: dict) -> Iterator[dict]:
    """One row per segment; a clip without a transcript still gets one row, with the line's columns empty."""
    clip = {
        "number": document["number"],
        "title": document["title"],
        "channel": document["channel"]["name"] if document["channel"] else "",
        "aired_on": document["aired_on"] or "",
    }
    speakers = {s["id"]: s["label"] for s in document["speakers"]}
    if not document["segments"]:
        yield clip
    for segment in document["segments"]:
        yield {
            **clip,
            **{name: segment[name] for name in CSV_COLUMNS if name in segment},
            "speaker": speakers.get(segment["speaker_id"], ""),
        }


class JsonLinesWriter:
    def __init__(self, out: TextIO):
        self.out = out

    def write(self, document: dict) -> None:
        self.out.write(json.dumps(document, ensure_ascii=False) + "\n")


class CsvWriter:
    def __init__(self, out: TextIO):
        self.writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="")
        self.writer.writeheader()

    def write(self, document: dict) -> None:
        self.writer.writerows(csv_rows(document))


WRITERS = {"jsonl": JsonLinesWriter, "csv": CsvWriter}
