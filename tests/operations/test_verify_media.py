"""clipdesk verify-media: every media file against its recorded SHA-256, every poster for presence."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clipdesk.media.actions import attach_media
from factories.archive import ClipFactory
from factories.media import attach_test_video, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def assets(tmp_path):
    """Two clips' media, the second with a poster."""
    first = attach_test_video(ClipFactory(), tmp_path)
    poster = tmp_path / "poster.jpg"
    poster.write_bytes(b"\xff\xd8\xff\xe0 a poster frame")
    video = make_video(tmp_path / "second.mp4", seconds=2)
    second = attach_media(ClipFactory(), video, user=None, source="test", poster=poster)
    return first, second


def verify(capsys) -> tuple[str, str | None]:
    """The command's output and, when it failed, its error."""
    try:
        call_command("verify_media", verbosity=0)
    except CommandError as exc:
        return capsys.readouterr().out, str(exc)
    return capsys.readouterr().out, None


def test_intact_media_passes(assets, capsys):
    out, error = verify(capsys)
    assert error is None
    assert "Checked 2 media files and 1 posters" in out
    assert "all present and intact" in out


def test_an_altered_file_is_named_with_both_checksums(assets, media_root, capsys):
    first, second = assets
    stored = media_root / second.file.name
    data = bytearray(stored.read_bytes())
    data[-10] ^= 0x01  # one bit, same size
    stored.write_bytes(bytes(data))
    out, error = verify(capsys)
    assert error == (
        "Checked 2 media files and 1 posters (posters for presence only: no checksum is recorded for them): "
        "1 failed."
    )
    assert f"media {second.pk} of clip {second.clip.reference}: {second.file.name}: altered" in out
    assert f"recorded {second.sha256}" in out
    assert first.file.name not in out


def test_missing_files_and_posters_are_named(assets, media_root, capsys):
    first, second = assets
    (media_root / first.file.name).unlink()
    (media_root / second.poster.name).unlink()
    out, error = verify(capsys)
    assert "2 failed" in error
    assert f"{first.file.name}: missing" in out
    assert f"{second.poster.name}: missing poster" in out


def test_the_cli_exits_with_status_1_on_a_failure(assets, media_root, capsys):
    from clipdesk.cli import main

    (media_root / assets[0].file.name).unlink()
    with pytest.raises(SystemExit) as exited:
        main(["clipdesk", "verify-media", "-v", "0"])
    assert exited.value.code == 1
    assert "1 failed" in capsys.readouterr().err


def test_no_media_is_nothing_to_fail(capsys):
    out, error = verify(capsys)
    assert error is None
    assert "Checked 0 media files and 0 posters" in out


def test_the_progress_bar_goes_to_standard_error(assets, capsys):
    call_command("verify_media")
    captured = capsys.readouterr()
    assert "verifying media" in captured.err
    assert "verifying media" not in captured.out
