"""In Chromium: a stored file that is script, loaded by a page of our own origin, does not run."""

import pytest
from django.core.files.base import ContentFile

from clipdesk.archive import actions
from clipdesk.media.models import MediaAsset
from factories.archive import ClipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = (
    b"window.ran = true; fetch('/staff/work/').then((r) => r.text()).then((t) => { window.stolen = t; });"
)


def test_an_uploaded_script_does_not_run_on_our_origin(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    clip = actions.publish_clip(ClipFactory(), user=None)
    asset = MediaAsset(clip=clip, sha256="ab" * 32, mime_type="text/javascript")  # as the old admin stored it
    asset.file.save("steal.js", ContentFile(SCRIPT), save=False)
    asset.save()

    page.goto(live_server.url + clip.get_absolute_url())
    outcome = page.evaluate(
        """(src) => new Promise((resolve) => {
            const script = document.createElement('script');
            script.src = src;
            script.onload = () => resolve('loaded');
            script.onerror = () => resolve('refused');
            document.head.appendChild(script);
        })""",
        asset.get_absolute_url(),
    )
    assert outcome == "refused"
    assert page.evaluate("window.ran === undefined && window.stolen === undefined")
