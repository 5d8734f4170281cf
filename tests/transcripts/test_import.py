"""Importing a clip page into the database, and the import-page command."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipdesk.archive.models import Channel, Clip, ClipReference, Person
from clipdesk.transcripts import importing
from clipdesk.transcripts.importing import ImportRefused, import_page
from clipdesk.transcripts.models import Segment, Speaker
from clipdesk.transcripts.pagetext import PageParseError
from factories.archive import ClipFactory

pytestmark = pytest.mark.django_db


def test_import_sample_page(sample_page_text):
    result = import_page(sample_page_text, source="clip-8891.txt")
    clip = Clip.objects.get(pk=result.clip.pk)
    assert result.created
    assert clip.number == 8891
    assert clip.status == Clip.Status.PUBLISHED
    assert clip.origin == Clip.Origin.IMPORTED
    assert clip.duration_display == "02:33"
    assert clip.aired_on == dt.date(2021, 5, 28)
    assert clip.title.startswith("Hizbullah Mouthpiece Ibrahim Al-Amine:")
    assert clip.summary.startswith("Lebanese journalist")
    channel = Channel.objects.get()
    assert (channel.name, channel.affiliation, channel.country) == ("Al-Manar TV", "Hizbullah", "Lebanon")
    assert clip.channel == channel

    segments = list(clip.segments.in_order())
    assert len(segments) == 12
    assert [s.position for s in segments] == list(range(12))
    assert all(s.start_ms is None and s.english_origin == "human" for s in segments)
    by_speaker = {
        label: sum(1 for s in segments if s.speaker.label == label) for label in ("Ibrahim Al-Amine", "Host")
    }
    assert by_speaker == {"Ibrahim Al-Amine": 8, "Host": 4}

    amine = Speaker.objects.get(clip=clip, label="Ibrahim Al-Amine")
    host = Speaker.objects.get(clip=clip, label="Host")
    assert host.role == Speaker.Role.HOST and host.person is None
    person = amine.person
    assert person.kind == Person.Kind.PERSON
    assert person.alias_names == ["Al-Amine"]
    assert Person.objects.matching("al-amine").get() == person
    assert list(clip.people.all()) == [person]

    ref = ClipReference.objects.get(clip=clip)
    assert (ref.number, ref.publisher, ref.person) == (8575, "MEMRI TV", person)


def test_reimport_updates_an_imported_clip_and_history_shows_the_change(sample_page_text):
    first = import_page(sample_page_text, source="a.txt").clip
    changed_text = sample_page_text.replace('Host: "Was that an option?"', 'Host: "Was that ever an option?"')
    result = import_page(changed_text, source="a.txt")
    assert not result.created and result.clip.pk == first.pk
    assert result.changed_lines == 1
    segment = Segment.objects.get(clip=first, position=8)
    assert segment.english_text == "Was that ever an option?"
    assert segment.version == 2
    new, old = segment.history.all()[:2]
    delta = new.diff_against(old)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "english_text"] == [
        ("english_text", "Was that an option?", "Was that ever an option?")
    ]
    assert Clip.objects.count() == 1 and Segment.objects.filter(clip=first).count() == 12


def test_reimport_over_a_clip_that_was_not_imported_is_refused(sample_page_text):
    clip = ClipFactory(published=False)
    from clipdesk.archive.actions import publish_clip

    publish_clip(clip, user=None, number=8891)
    with pytest.raises(ImportRefused, match="was not imported"):
        import_page(sample_page_text, source="a.txt")
    assert Segment.objects.count() == 0


def test_page_without_number_becomes_a_draft(sample_page_text):
    result = import_page(sample_page_text.replace("#8891 | 02:33", "# | 02:33"), source="a.txt")
    assert result.clip.status == Clip.Status.DRAFT and result.clip.number is None
    assert result.warnings


def test_a_failure_part_way_saves_nothing(sample_page_text, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "_references", explode)
    with pytest.raises(RuntimeError):
        import_page(sample_page_text, source="a.txt")
    assert (
        Clip.objects.count(),
        Segment.objects.count(),
        Speaker.objects.count(),
        Channel.objects.count(),
    ) == (0, 0, 0, 0)


def test_command_imports_and_reports(sample_page_text, tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(sample_page_text, encoding="utf-8")
    call_command("import_page", str(good))
    out = capsys.readouterr().out
    assert "imported #8891" in out and "12 lines" in out


def test_command_names_file_and_line_of_an_error_and_saves_nothing(sample_page_text, tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(sample_page_text, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("\n#5 | 00:10\nSource: X (Y)\n\nJust a summary.\n", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="2 of 3 pages"):
        call_command("import_page", str(bad), str(good), str(binary))
    err = capsys.readouterr().err
    assert f"{bad}:2: error: no headline" in err
    assert f"{binary}: error: not UTF-8 text" in err
    assert list(Clip.objects.values_list("number", flat=True)) == [8891]


def test_parse_errors_are_page_parse_errors():
    with pytest.raises(PageParseError):
        import_page("", source="empty.txt")
    assert Clip.objects.count() == 0


_lines = st.one_of(
    st.sampled_from(
        [
            "#12 | 01:02",
            "#99999999999 | 99:99:99",
            "Source: A TV (B)",
            "May 1, 2020",
            'Host: "hi"',
            '"more"',
            "",
        ]
    ),
    st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z-]{1,8})?: \"?[^\n]{0,30}", fullmatch=True),
    st.from_regex(
        r"(For more about [A-Z][a-z]{1,300}, see )?[A-Z]{1,40} TV clips? (no\.?|#) ?[0-9]{1,14}",
        fullmatch=True,
    ),
    st.text(max_size=600).map(lambda s: s.replace("\n", " ")),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_lines, max_size=20).map("\n".join))
def test_importing_any_page_fails_only_with_a_clear_error(text):
    with transaction.atomic():
        try:
            import_page(text, source="fuzz.txt")
        except (PageParseError, ImportRefused):
            pass
        finally:
            transaction.set_rollback(True)


def test_command_reads_a_saved_html_page_and_keys_it_by_its_address(capsys):
    from pathlib import Path

    from clipdesk.transcripts.models import PageImport

    page = Path(__file__).parent / "pages" / "p26-no-number.html"
    call_command("import_page", str(page))
    call_command("import_page", str(page))
    record = PageImport.objects.get()
    assert record.key == "url:https://archive.example.org/clips/pending/tunisian-poet"
    assert record.clip.status == Clip.Status.DRAFT and Clip.objects.count() == 1
    assert record.clip.segments.count() == 4
