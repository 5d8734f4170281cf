"""`clipdesk demo-clip`: the demo's captioned clip comes from the real pipeline, once."""

import pytest
from django.core.management import call_command

from clipdesk.archive.models import Clip

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_clip_is_ingested_published_and_made_once(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo_clip")
    clip = Clip.objects.get(origin=Clip.Origin.INGESTED)
    assert clip.status == Clip.Status.PUBLISHED and clip.number
    assert clip.media.get().mime_type == "video/mp4"
    assert "americans" in " ".join(s.english_text.lower() for s in clip.segments.all())
    assert clip.segments.filter(english_origin="machine").exists()
    assert "Published" in capsys.readouterr().out
    call_command("demo_clip")
    assert Clip.objects.filter(origin=Clip.Origin.INGESTED).count() == 1
    assert "already there" in capsys.readouterr().out
