"""`clipdesk export-archive`: every published clip, as JSON Lines or CSV, with a progress bar on stderr."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clipdesk.api import exports
from clipdesk.archive.actions import withdraw_clip
from clipdesk.transcripts.export import clip_document
from factories.archive import ClipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(transcript_clip):
    """The four-line bilingual clip, a published clip without a transcript, a draft and a withdrawn clip."""
    bare = ClipFactory(title="No transcript yet, 'quoted', with a comma", published=True)
    ClipFactory(title="A draft")
    withdraw_clip(ClipFactory(title="Withdrawn", published=True), user=None, reason="Wrong.")
    return transcript_clip, bare


def export(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_archive", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_jsonl_is_one_clip_document_per_line_in_number_order(archive, capsys):
    transcript_clip, bare = archive
    out, err = export("--format", "jsonl")
    lines = out.splitlines()
    assert [json.loads(line)["number"] for line in lines] == [transcript_clip.number, bare.number]
    assert json.loads(lines[0]) == json.loads(
        json.dumps(clip_document(transcript_clip), cls=DjangoJSONEncoder)
    )
    assert "مرحبا بكم" in lines[0]  # the original text as written, not escaped
    assert "Exported 2 published clips to standard output." in err
    assert "2/2" in capsys.readouterr().err  # the progress bar


def test_csv_is_one_row_per_line_of_transcript(archive):
    transcript_clip, bare = archive
    out, _ = export("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert list(rows[0]) == exports.CSV_COLUMNS
    assert len(rows) == 5  # four lines of the first clip, one row for the clip without a transcript
    assert rows[1] == {
        "number": str(transcript_clip.number),
        "title": "Bilingual interview",
        "channel": transcript_clip.channel.name,
        "aired_on": "2021-05-28",
        "position": "1",
        "start_ms": "1500",
        "end_ms": "4000",
        "speaker": "Ali Hassan",
        "original_language": "ar",
        "original_text": "شكرا [لكم] على الاستضافة",
        "english_text": "Thank you [all] for having me.",
        "note": "",
    }
    assert [row["speaker"] for row in rows[:4]] == ["Host", "Ali Hassan", "Host", "Ali Hassan"]
    assert rows[4]["title"] == bare.title  # quotes and commas survive the round trip
    assert (rows[4]["number"], rows[4]["position"], rows[4]["english_text"]) == (str(bare.number), "", "")


@pytest.mark.parametrize("format", ["jsonl", "csv"])
def test_output_file(archive, tmp_path, format):
    target = tmp_path / f"archive.{format}"
    out, err = export("--format", format, "--output", str(target))
    assert out == ""
    assert f"Exported 2 published clips to {target}." in err
    text = target.read_text(encoding="utf-8")
    assert ("Bilingual interview" in text) and ("A draft" not in text) and ("Withdrawn" not in text)
    assert not list(tmp_path.glob("*.partial"))


def test_a_failed_export_leaves_an_existing_file_alone(archive, tmp_path, monkeypatch):
    target = tmp_path / "archive.jsonl"
    target.write_text("yesterday's export\n", encoding="utf-8")

    def broken(clip):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(exports, "clip_document", broken)
    with pytest.raises(RuntimeError):
        export("--output", str(target))
    assert target.read_text(encoding="utf-8") == "yesterday's export\n"
    assert not list(tmp_path.glob("*.partial"))


def test_an_unwritable_output_is_a_clear_error(archive, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        export("--output", str(tmp_path / "missing-folder" / "archive.csv"))


def test_clips_are_read_a_chunk_at_a_time(archive):
    """Memory stays bounded: each chunk of clips comes with its own related rows, not the whole archive's."""

    def export_counting_topic_reads(chunk_size: int) -> tuple[list[int], int]:
        with CaptureQueriesContext(connection) as queries:
            documents = exports.documents(exports.published_clips(), chunk_size=chunk_size)
            numbers = [document["number"] for document in documents]
        return numbers, sum('"archive_clip_topics"' in query["sql"] for query in queries)

    numbers = sorted(clip.number for clip in archive)
    assert export_counting_topic_reads(chunk_size=1) == (numbers, 2)
    assert export_counting_topic_reads(chunk_size=100) == (numbers, 1)


def test_quiet_means_no_progress_bar(archive, capsys):
    export("--verbosity", "0")
    assert capsys.readouterr().err == ""


def test_an_empty_archive_exports_nothing(db):
    out, err = export("--format", "csv")
    assert out.splitlines() == [",".join(exports.CSV_COLUMNS)]
    assert "Exported 0 published clips" in err
