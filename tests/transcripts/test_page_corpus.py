"""The importer on a corpus of pages of every vintage and layout (tests/transcripts/pages/, written for
these tests; expected.toml says what each must give). The first test reads them without a database,
page by page; the others import the whole corpus as an archive, as `clipdesk import-archive` does."""

import csv
import datetime as dt
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from clipdesk.archive.models import Channel, Clip, format_duration
from clipdesk.transcripts.archivefiles import list_pages, pair, read_file
from clipdesk.transcripts.models import PageImport, Segment, Speaker
from clipdesk.transcripts.pagetext import PageParseError, parse_page

PAGES = Path(__file__).parent / "pages"
EXPECTED = tomllib.loads((PAGES / "expected.toml").read_text(encoding="utf-8"))


def _jobs():
    names = list_pages(PAGES)
    return {Path(job.name).stem: job for job in pair((read_file(PAGES, n) for n in names), names)}


JOBS = _jobs()


def _speaker(spec: str) -> tuple[str, str, str, str]:
    label, kind, role, description = (part.strip() for part in spec.split("|"))
    return label, kind, role, description


def test_the_corpus_covers_every_class_with_twenty_pages_or_more():
    assert len(EXPECTED) >= 20
    assert set(EXPECTED) == set(JOBS)
    assert all(entry.get("class") for entry in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_gives_its_expected_facts(name):
    expected, job = EXPECTED[name], JOBS[name]
    assert job.files == expected.get("files", job.files)
    if "refused" in expected:
        with pytest.raises(PageParseError, match=expected["refused"]):
            parse_page(job.text, job.name)
        return
    page = parse_page(job.text, job.name)
    assert page.title
    assert (page.number or 0) == expected["number"]
    if "duration" in expected:
        assert format_duration(page.duration_ms) == expected["duration"]
    for fact in ("channel", "country", "affiliation"):
        if fact in expected:
            assert (getattr(page, fact) or "") == expected[fact], fact
    for fact in ("aired_on", "aired_until", "page_date"):
        if fact in expected:
            assert getattr(page, fact) == expected[fact], fact
    if "address" in expected:
        assert job.address == expected["address"]
    assert [(s.label, s.kind, s.role, s.description) for s in page.speakers] == [
        _speaker(spec) for spec in expected["speakers"]
    ]
    assert [a for s in page.speakers for a in s.suggested_aliases] == expected.get("suggested_aliases", [])
    assert (len(page.lines), page.turns) == (expected["lines"], expected["turns"])
    assert sum(line.editorial for line in page.lines) == expected.get("editorial", 0)
    assert all(line.speaker is not None or line.editorial for line in page.lines)
    if "references" in expected:
        assert [f"{r.number} | {r.person or ''}".strip() for r in page.references] == [
            spec.strip() for spec in expected["references"]
        ]
    assert len(page.review) == expected.get("review", 0), [str(w) for w in page.review]


@pytest.mark.django_db
def test_import_archive_imports_the_corpus_and_reports_it(tmp_path, capsys):
    report = tmp_path / "report"
    call_command("import_archive", str(PAGES), "--report", str(report), "--jobs", "1")
    out = capsys.readouterr().out
    assert f"{len(EXPECTED)} pages: " in out  # a clip page and its transcript page are one
    imported = {name: e for name, e in EXPECTED.items() if "refused" not in e}
    assert Clip.objects.count() == len(imported)
    for name, expected in imported.items():
        record = PageImport.objects.get(source=JOBS[name].name)
        clip = record.clip
        assert clip.status == expected["status"], name
        assert (clip.number or 0) == (expected["number"] if expected["status"] == "published" else 0), name
        speakers = [
            (s.label, s.role, s.description, s.person is not None) for s in clip.speakers.order_by("position")
        ]
        assert speakers == [
            (label, role, description, kind == "person")
            for label, kind, role, description in map(_speaker, expected["speakers"])
        ], name
        assert clip.segments.count() == expected["lines"], name
        assert record.needs_review == bool(expected.get("review")) or name == "p21-network-name-tv", name

    # Channels are their name in their country; a second name in one country is flagged, not merged.
    assert sorted(Channel.objects.filter(name="Channel 1").values_list("country", flat=True)) == [
        "Egypt",
        "Iran",
    ]
    flagged = PageImport.objects.get(source="p21-network-name-tv.txt").review
    assert any("'Al-Example Network' under another name" in item for item in flagged)
    # Groups are not people; the date range is kept; the editorial lines have no speaker.
    assert not Speaker.objects.filter(role="group", person__isnull=False).exists()
    assert Clip.objects.get(number=3311).aired_until == dt.date(2012, 3, 3)
    assert Segment.objects.filter(clip__number=8512, speaker__isnull=True).count() == 3
    # The report: every page, with what an editor must check.
    with (report / "import-report.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(EXPECTED)
    by_file = {row["file"].split(" + ")[0]: row for row in rows}
    assert by_file["p22-nothing-usable.txt"]["result"] == "refused"
    assert "the page is empty" in by_file["p22-nothing-usable.txt"]["warnings"]
    assert "Rami Khaleel" in by_file["p05-two-spellings.txt"]["needs_review"]
    assert by_file["p24-clip.html"]["file"] == "p24-clip.html + p24-clip-transcript.html"
    html = (report / "import-report.html").read_text(encoding="utf-8")
    assert "Rami Khaleel" in html and "p22-nothing-usable.txt" in html


@pytest.mark.django_db
def test_import_archive_twice_makes_no_duplicates_and_resumes(tmp_path, capsys):
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(PAGES.iterdir()):
            z.write(path, f"site/{path.name}")
    report = tmp_path / "report"
    call_command("import_archive", str(archive), "--report", str(report), "--jobs", "2")
    clips, segments = Clip.objects.count(), Segment.objects.count()
    capsys.readouterr()

    # A crash after the first pages: the journal holds only them; the rerun does the rest.
    journal = (report / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    (report / "journal.jsonl").write_text("\n".join(journal[:5]) + '\n{"file": "cut sho', encoding="utf-8")
    call_command("import_archive", str(archive), "--report", str(report), "--jobs", "1")
    out = capsys.readouterr().out
    assert "5 done in an earlier run" in out
    assert f"{len(EXPECTED) - 5 - 1} unchanged" in out  # the refused page is looked at again
    assert (Clip.objects.count(), Segment.objects.count()) == (clips, segments)

    # --restart looks at every page again: still nothing new, for pages without numbers too.
    call_command("import_archive", str(archive), "--report", str(report), "--restart", "--jobs", "1")
    assert "0 imported" in capsys.readouterr().out
    assert (Clip.objects.count(), Segment.objects.count()) == (clips, segments)
    assert PageImport.objects.filter(key__startswith="sha256:").count() == 2
    assert PageImport.objects.filter(key__startswith="url:").count() == 1


@pytest.mark.django_db
def test_an_edited_page_without_number_or_address_imports_as_new_with_a_warning(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(PAGES / "p09-no-number.txt", folder / "a.txt")
    call_command("import_archive", str(folder), "--report", str(tmp_path / "r"), "--jobs", "1")
    record = PageImport.objects.get()
    assert any("an edited copy of it will import as a new clip" in w for w in record.warnings)
    (folder / "a.txt").write_text(
        (folder / "a.txt").read_text().replace("act now", "act today"), encoding="utf-8"
    )
    call_command("import_archive", str(folder), "--report", str(tmp_path / "r"), "--jobs", "1")
    assert Clip.objects.count() == 2


@pytest.mark.django_db
def test_worklist_filters_imported_clips_that_need_review(client, roles, tmp_path):
    from bs4 import BeautifulSoup

    for name in ("p05-two-spellings.txt", "p13-affiliation.txt"):
        shutil.copy(PAGES / name, tmp_path / name)
    call_command("import_archive", str(tmp_path), "--report", str(tmp_path / "r"), "--jobs", "1")
    client.force_login(roles["editor"])
    page = BeautifulSoup(client.get("/staff/work/?review=import").content, "html.parser")
    rows = page.select(".worklist tbody tr")
    assert [row.select_one("td").get_text() for row in rows] == ["#7105"]
    assert "Rami Khaleel" in rows[0].select_one(".import-review").get_text()
    everything = BeautifulSoup(client.get("/staff/work/").content, "html.parser")
    assert len(everything.select(".worklist tbody tr")) == 2
