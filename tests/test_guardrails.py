"""Guard rails: migrations, documentation of every setting and command, samples with their sources."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS = (ROOT / "src" / "clipdesk" / "settings.py").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_no_pending_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Models have changes without a migration:\n{out.getvalue()}")


def _setting_names() -> set[str]:
    return set(re.findall(r'env(?:_[a-z]+)?\("([A-Z_]+)"', SETTINGS))


def test_settings_are_read_from_the_environment():
    assert {
        "CLIPDESK_ENV",
        "CLIPDESK_SECRET_KEY",
        "DATABASE_URL",
        "CLIPDESK_FIRST_NUMBER",
    } <= _setting_names()


@pytest.mark.parametrize("name", sorted(_setting_names()))
def test_every_setting_is_documented(name):
    assert re.search(rf"^\|\s*`{name}`\s*\|", README, re.MULTILINE), f"README's settings table lacks {name}"


def _clipdesk_commands() -> list[tuple[str, str]]:
    return sorted((name, app) for name, app in get_commands().items() if app.startswith("clipdesk."))


def test_there_are_clipdesk_commands():
    assert ("import_page", "clipdesk.transcripts") in _clipdesk_commands()


@pytest.mark.parametrize(("name", "app"), _clipdesk_commands())
def test_every_command_and_option_is_documented(name, app):
    cli_name = name.replace("_", "-")
    heading = re.search(rf"^#+ `clipdesk {cli_name}\b", README, re.MULTILINE)
    assert heading, f"README lacks a section for clipdesk {cli_name}"
    section = README[heading.start() :].split("\n#", 1)[0]
    parser = load_command_class(app, name).create_parser("clipdesk", cli_name)
    own = [
        a
        for a in parser._actions
        if a.dest
        not in {
            "help",
            "version",
            "verbosity",
            "settings",
            "pythonpath",
            "traceback",
            "no_color",
            "force_color",
            "skip_checks",
        }
    ]
    for action in own:
        label = action.option_strings[-1] if action.option_strings else action.metavar or action.dest.upper()
        assert label in section, f"README's section on clipdesk {cli_name} does not mention {label}"


def test_cli_maps_hyphens_to_commands(capsys):
    from clipdesk.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["clipdesk", "import-page", "--help"])
    assert exited.value.code == 0
    assert "usage: clipdesk import-page" in capsys.readouterr().out


def test_samples_carry_their_sources():
    for folder in (
        ROOT / "samples" / "pages",
        ROOT / "samples" / "audio",
        ROOT / "tests" / "conformance" / "webvtt",
    ):
        notes = " ".join(p.read_text(encoding="utf-8") for p in folder.glob("*.md"))
        assert "license" in notes.lower(), folder
    pages = ROOT / "samples" / "pages"
    notes = (pages / "SOURCE.md").read_text(encoding="utf-8")
    for page in pages.glob("*.txt"):
        assert page.name in notes
    audio_notes = (ROOT / "samples" / "audio" / "REFERENCES.md").read_text(encoding="utf-8")
    for sound in (ROOT / "samples" / "audio").rglob("*.wav"):
        assert sound.parent.name in audio_notes or sound.name in audio_notes, sound


def test_nothing_reads_outside_the_repository():
    for path in [
        *ROOT.glob("src/**/*.py"),
        *ROOT.glob("tests/**/*.py"),
        *ROOT.glob("bench/**/*.py"),
        ROOT / "Makefile",
    ]:
        assert "../" + "shared" not in path.read_text(encoding="utf-8"), path


def test_every_static_file_a_template_names_exists():
    from django.contrib.staticfiles import finders

    names = set()
    for template in (ROOT / "src" / "clipdesk").rglob("templates/**/*.html"):
        names |= set(re.findall(r"""\{%\s*static\s+['"]([^'"]+)['"]""", template.read_text(encoding="utf-8")))
    assert names
    for name in sorted(names):
        assert finders.find(name), f"static file {name} is not found by the staticfiles finders"
