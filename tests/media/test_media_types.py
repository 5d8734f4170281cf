"""Stored media is served inline only as what its content is: never as script or HTML from our origin.

Every path by which a file can become a clip's media is tried with JavaScript and HTML: the admin
(read-only now), the editor's upload and ingest (both probe the content). A row that already holds
such a file, as the admin could once store, is served as a download of opaque bytes.
"""

import io

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse

from clipdesk.media.models import MediaAsset
from clipdesk.media.probe import ProbeError, sniff_image
from factories.archive import ClipFactory
from factories.media import attach_test_video, make_video

pytestmark = pytest.mark.django_db

SCRIPT = b"fetch('/staff/work/').then((r) => r.text()).then((t) => { window.stolen = t; });\n"
HTML = b"<!doctype html><title>x</title><script src='/media/assets/1/file'></script>\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXECUTABLE = ("javascript", "ecmascript", "html", "xml", "svg", "text/")


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    """Every test here stores media in its own directory (tests/conftest.py)."""


def stored_asset(clip, content: bytes, *, name="file.js", mime_type="text/javascript", poster=None):
    """A row as the old admin form could save it: any file, any declared type, no probe."""
    asset = MediaAsset(clip=clip, sha256="ab" * 32, mime_type=mime_type)
    asset.file.save(name, ContentFile(content), save=False)
    if poster is not None:
        asset.poster.save("poster.jpg", ContentFile(poster), save=False)
    asset.save()
    return asset


def assert_not_inline_code(response):
    content_type = response["Content-Type"].lower()
    assert not any(word in content_type for word in EXECUTABLE), content_type
    assert response["Content-Disposition"].startswith("attachment"), response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("content", "name", "mime_type"),
    [
        (SCRIPT, "steal.js", "text/javascript"),
        (SCRIPT, "steal.js", "video/mp4"),
        (HTML, "page.html", "text/html"),
        (HTML, "page.mp4", "application/octet-stream"),
    ],
    ids=["js", "js-declared-video", "html", "html-named-mp4"],
)
def test_a_stored_file_that_is_not_media_is_a_download(client, content, name, mime_type):
    asset = stored_asset(ClipFactory(published=True), content, name=name, mime_type=mime_type)
    response = client.get(asset.get_absolute_url())
    assert response.status_code == 200
    assert_not_inline_code(response)
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == content  # the bytes are still there, for staff to check


def test_probed_media_is_served_inline_as_its_probed_type(client, tmp_path):
    clip = ClipFactory(published=True)
    asset = attach_test_video(clip, tmp_path)
    assert asset.probed_type == "video/mp4"
    MediaAsset.objects.filter(pk=asset.pk).update(mime_type="text/html")  # the declared type is not trusted
    response = client.get(asset.get_absolute_url(), HTTP_RANGE="bytes=0-99")
    response.close()
    assert response.status_code == 206
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize(
    ("poster", "served_as"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (HTML, None), (SCRIPT, None)],
    ids=["jpeg", "png", "html", "js"],
)
def test_a_poster_is_inline_only_when_it_is_a_jpeg_or_png(client, tmp_path, poster, served_as):
    clip = ClipFactory(published=True)
    asset = stored_asset(clip, b"x", poster=poster)
    response = client.get(asset.poster_url)
    response.close()
    assert response.status_code == 200
    if served_as:
        assert response["Content-Type"] == served_as
        assert response["Content-Disposition"].startswith("inline")
    else:
        assert_not_inline_code(response)
    head = client.head(asset.poster_url)
    head.close()
    assert head["Content-Type"] == response["Content-Type"]


def test_sniff_image_knows_only_jpeg_and_png():
    assert sniff_image(JPEG) == "image/jpeg" and sniff_image(PNG) == "image/png"
    assert sniff_image(HTML) is None and sniff_image(b"GIF89a") is None and sniff_image(b"") is None


def test_attach_media_refuses_a_poster_that_is_not_an_image(tmp_path):
    video = make_video(tmp_path / "in.mp4", seconds=1)
    poster = tmp_path / "poster.jpg"
    poster.write_bytes(HTML)
    with pytest.raises(ProbeError, match="JPEG or PNG"):
        actions_attach(ClipFactory(), video, poster)
    assert MediaAsset.objects.count() == 0


def actions_attach(clip, video, poster):
    from clipdesk.media.actions import attach_media

    return attach_media(clip, video, user=None, poster=poster)


# The paths by which a file can be attached, each tried with script and HTML.


@pytest.mark.parametrize("role", ["monitor", "editor", "admin"])
def test_the_admin_cannot_add_media_or_change_its_file_or_type(client, roles, tmp_path, role):
    clip = ClipFactory(published=True)
    asset = attach_test_video(clip, tmp_path)
    before = MediaAsset.objects.values().get(pk=asset.pk)
    client.force_login(roles[role])
    assert client.get(reverse("admin:media_mediaasset_add")).status_code == 403
    added = client.post(
        reverse("admin:media_mediaasset_add"),
        {"clip": clip.pk, "mime_type": "text/javascript", "file": io.BytesIO(SCRIPT), "sha256": "0" * 64},
    )
    assert added.status_code == 403
    change = reverse("admin:media_mediaasset_change", args=[asset.pk])
    page = BeautifulSoup(client.get(change).content, "html.parser")
    for name in ("file", "mime_type", "poster", "clip", "probed_type", "duration_ms"):
        assert page.select_one(f"[name={name}]") is None, name
    upload = io.BytesIO(SCRIPT)
    upload.name = "steal.js"
    client.post(
        change,
        {"clip": ClipFactory().pk, "mime_type": "text/javascript", "file": upload, "source": "satellite"},
    )
    after = MediaAsset.objects.values().get(pk=asset.pk)
    if roles[role].has_perm("media.change_mediaasset"):  # only the free-text source moved
        assert after.pop("source") == "satellite"
        before.pop("source")
    assert after == before
    served = client.get(asset.get_absolute_url())
    served.close()
    assert served["Content-Type"] == "video/mp4"


@pytest.mark.parametrize(
    ("content", "name"),
    [(SCRIPT, "steal.js"), (HTML, "page.html"), (SCRIPT, "a.mp4")],
    ids=["js", "html", "js-mp4"],
)
def test_the_editors_upload_refuses_what_is_not_media(client, roles, content, name):
    clip = ClipFactory()
    client.force_login(roles["monitor"])
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(f"/staff/clips/id:{clip.pk}/media/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "not a media file" in response.content.decode()
    assert MediaAsset.objects.count() == 0


@pytest.mark.parametrize(("content", "name"), [(SCRIPT, "steal.js"), (HTML, "page.html")], ids=["js", "html"])
def test_ingest_refuses_what_is_not_media(client, roles, content, name):
    from clipdesk.ingest.models import IngestJob

    client.force_login(roles["monitor"])
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(
        "/staff/ingest/", {"file": upload, "translate": "none", "speakers": "auto", "language": ""}
    )
    assert response.status_code in (200, 400)
    assert IngestJob.objects.count() == 0 and MediaAsset.objects.count() == 0


# Rows stored before the probe was recorded.


def test_backfill_probes_stored_files(tmp_path):
    from importlib import import_module

    backfill = import_module("clipdesk.media.migrations.0003_backfill_probed_type").backfill
    clip = ClipFactory(published=True)
    real = attach_test_video(clip, tmp_path)
    fake = stored_asset(clip, SCRIPT, mime_type="video/mp4")
    missing = stored_asset(clip, SCRIPT, name="gone.mp4", mime_type="video/mp4")
    missing.file.storage.delete(missing.file.name)
    MediaAsset.objects.update(probed_type="")
    backfill(apps, None)
    types = dict(MediaAsset.objects.values_list("pk", "probed_type"))
    assert types == {real.pk: "video/mp4", fake.pk: "", missing.pk: ""}
