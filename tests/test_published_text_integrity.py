"""A published clip's public text changes only through a published correction, whatever staff post.

Every admin change form (and every history "revert" form) registered in `admin.site`, and every staff
URL the resolver knows (staff/, desk/), is posted to as each role, with plausible data: the form's own
current values with every text changed, inline rows forged for the clip's lines, speakers and
references, the editor's autosave JSON, a subtitle file. After each request the clip's public text
(its JSON at /clips/<number>.json, and the reference and speaker rows behind the page) is compared:
it may differ only when that request published a correction, through the corrections workflow, with
a publisher and a public note, the changed lines' versions moved on.
"""

import io
import json
import uuid

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clipdesk.archive import actions
from clipdesk.archive.models import Clip, ClipReference
from clipdesk.transcripts.models import Revision, RevisionEdit, Segment, Speaker
from factories.archive import ChannelFactory, PersonFactory, TopicFactory
from factories.media import attach_test_video

pytestmark = pytest.mark.django_db

ROLES = ["monitor", "translator", "editor", "publisher", "desk", "admin"]
TAMPER = " (changed)"
TEXT_INPUTS = {"text", "search", "email", "url"}
NOT_TEXT = {"vDateField", "vTimeField", "vForeignKeyRawIdAdminField", "vManyToManyRawIdAdminField"}
STAFF_PREFIXES = ("staff/", "desk/")
NOT_STAFF_ACTIONS = {"staff/login/", "staff/logout/"}
VTT = b"WEBVTT\n\n00:00.000 --> 00:01.500\nA line that was never said.\n"


@pytest.fixture
def scene(timed_clip, settings, tmp_path):
    """A published clip with a person behind a speaker, a reference, a channel, a topic and media,
    and a history worth reverting (its title before publishing)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    person = PersonFactory(name="Ali Hassan Khalil")
    channel, topic = ChannelFactory(), TopicFactory()
    Speaker.objects.filter(clip=timed_clip, label="Ali Hassan").update(person=person)
    ClipReference.objects.create(
        clip=timed_clip, number=8575, publisher="MEMRI TV", text="MEMRI TV clip no 8575", person=person
    )
    actions.update_clip(timed_clip, user=None, channel=channel, topics=[topic])
    actions.update_clip(timed_clip, user=None, title="Bilingual interview, an earlier title")
    actions.update_clip(timed_clip, user=None, title="Bilingual interview")
    attach_test_video(timed_clip, tmp_path)
    clip = actions.publish_clip(timed_clip, user=None, number=4100)
    from factories.ingest import IngestJobFactory
    from factories.inquiries import InquiryFactory, TranslationReportFactory

    segment = clip.segments.get(position=1)
    objects = {
        "report": TranslationReportFactory(segment=segment, clip=clip),
        "inquiry": InquiryFactory(),
        "job": IngestJobFactory(),
        "segment": segment,
    }
    return clip, objects


def public_text(clip: Clip) -> dict:
    """What readers see of the clip's words: its JSON, less the catalogue (channel, topics, the
    names and addresses of people, which their own pages edit), with the rows behind the page.
    A speaker is part of it once it speaks a line: a voice added for a correction is not, yet."""
    response = Client().get(f"/clips/{clip.number}.json")
    assert response.status_code == 200, response.status_code
    doc = response.json()
    voices = {s["speaker_id"] for s in doc["segments"]}
    return {
        "title": doc["title"],
        "summary": doc["summary"],
        "segments": doc["segments"],
        "speakers": sorted(
            Speaker.objects.filter(clip=clip, pk__in=voices).values_list(
                "pk", "label", "role", "person_id", "position"
            )
        ),
        "voices": [
            (s["id"], s["label"], s["role"], bool(s["person"])) for s in doc["speakers"] if s["id"] in voices
        ],
        "references": sorted(
            ClipReference.objects.filter(clip=clip).values_list("number", "publisher", "text", "person_id")
        ),
    }


def versions(clip: Clip) -> dict[int, int]:
    return dict(Segment.objects.filter(clip=clip).values_list("pk", "version"))


class Guard:
    """Checks, after each request, that the public text moved only through a published correction."""

    def __init__(self, clip: Clip, user):
        self.clip, self.user = clip, user
        self.text, self.versions = public_text(clip), versions(clip)
        self.published = set(Revision.objects.published().values_list("pk", flat=True))
        self.corrections = 0

    def check(self, where: str, response) -> None:
        assert response.status_code < 500, (where, response.status_code)
        text, now = public_text(self.clip), versions(self.clip)
        published = set(Revision.objects.published().values_list("pk", flat=True))
        new = Revision.objects.filter(pk__in=published - self.published)
        if text != self.text:
            assert new.exists(), f"{where} changed the published text with no correction"
            for revision in new:
                assert revision.published_by == self.user and revision.note.strip(), where
                for edit in RevisionEdit.objects.filter(revision=revision, segment__isnull=False):
                    assert now[edit.segment_id] > self.versions[edit.segment_id], where
            changed = {
                s["position"] for s, t in zip(text["segments"], self.text["segments"], strict=True) if s != t
            }
            corrected = set(
                RevisionEdit.objects.filter(revision__in=new, segment__isnull=False).values_list(
                    "segment__position", flat=True
                )
            )
            assert changed <= corrected, (where, changed, corrected)
            assert text["speakers"] == self.text["speakers"], where
            assert text["references"] == self.text["references"], where
            self.corrections += 1
        self.text, self.versions, self.published = text, now, published


# -- the admin ------------------------------------------------------------------------------------


def form_values(html: bytes) -> dict[str, list[str]]:
    """The values a browser would submit from the page's main form, with every text changed."""
    page = BeautifulSoup(html, "html.parser")
    form = page.select_one("#content form[method=post]") or page.select_one("form[method=post]")
    data: dict[str, list[str]] = {}
    if form is None:
        return data
    for field in form.select("input[name], select[name], textarea[name]"):
        name = field["name"]
        if field.name == "textarea":
            # A browser drops the newline that opens a textarea's content.
            data.setdefault(name, []).append(field.get_text().removeprefix("\n") + TAMPER)
        elif field.name == "select":
            chosen = [o.get("value", o.get_text()) for o in field.select("option[selected]")]
            if not chosen and not field.has_attr("multiple"):
                first = field.select_one("option")
                chosen = [first.get("value", "")] if first else []
            data.setdefault(name, []).extend(chosen)
        else:
            kind = field.get("type", "text")
            if kind in ("checkbox", "radio"):
                if field.has_attr("checked"):
                    data.setdefault(name, []).append(field.get("value", "on"))
            elif kind in ("file", "submit", "button", "image", "reset"):
                continue
            elif kind in TEXT_INPUTS and not set(field.get("class", [])) & NOT_TEXT:
                data.setdefault(name, []).append(field.get("value", "") + TAMPER)
            else:
                data.setdefault(name, []).append(field.get("value", ""))
    return data


def forged_inlines(clip: Clip) -> dict[str, list[str]]:
    """The inline rows as the old clip form had them, each text changed: a page that no longer
    offers them must not take them either."""
    data: dict[str, list[str]] = {}
    groups = {
        "speakers": [
            {"id": s.pk, "clip": clip.pk, "position": s.position, "label": s.label + TAMPER, "role": s.role}
            for s in clip.speakers.all()
        ],
        "segments": [
            {
                "id": s.pk,
                "clip": clip.pk,
                "position": s.position,
                "speaker": s.speaker_id or "",
                "start_ms": s.start_ms,
                "end_ms": s.end_ms,
                "original_text": s.original_text + TAMPER,
                "english_text": s.english_text + TAMPER,
            }
            for s in clip.segments.all()
        ],
        "references": [
            {
                "id": r.pk,
                "clip": clip.pk,
                "number": r.number,
                "publisher": r.publisher,
                "text": r.text + TAMPER,
            }
            for r in clip.references.all()
        ],
    }
    for prefix, rows in groups.items():
        data[f"{prefix}-TOTAL_FORMS"] = [str(len(rows) + 1)]
        data[f"{prefix}-INITIAL_FORMS"] = [str(len(rows))]
        data[f"{prefix}-MIN_NUM_FORMS"], data[f"{prefix}-MAX_NUM_FORMS"] = ["0"], ["1000"]
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = [str(value)]
    extra = len(groups["segments"])
    data.update(
        {
            f"segments-{extra}-clip": [str(clip.pk)],
            f"segments-{extra}-position": ["99"],
            f"segments-{extra}-english_text": ["A line nobody said."],
        }
    )
    return data


def admin_forms(clip: Clip, objects: dict):
    """(label, url, is the clip's own form) for every registered model's change form that has an
    object to show, and the history revert form of every model with history."""
    chosen = {Clip: clip, Segment: objects["segment"]}
    for model, model_admin in admin.site._registry.items():
        obj = chosen.get(model) or model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        name = f"admin:{info[0]}_{info[1]}"
        yield f"{info} change", reverse(f"{name}_change", args=[obj.pk]), model is Clip
        history = getattr(obj, "history", None)
        if history is not None and hasattr(model_admin, "history_form_view"):
            oldest = history.order_by("history_date", "history_id").first()
            url = reverse(f"{name}_simple_history", args=[obj.pk, oldest.history_id])
            yield f"{info} revert", url, model is Clip


def walk_admin(client, guard: Guard, objects: dict) -> set[str]:
    walked = set()
    for label, url, own in list(admin_forms(guard.clip, objects)):
        page = client.get(url)
        guard.check(f"GET {label}", page)
        data = form_values(page.content) if page.status_code == 200 else {}
        if own:
            data = {**forged_inlines(guard.clip), **data}
        data.setdefault("_save", ["Save"])
        guard.check(f"POST {label}", client.post(url, data))
        walked.add(label)
    return walked


# -- staff pages ----------------------------------------------------------------------------------


def _routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("staff/admin/"):
                yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route.lstrip("^")


def staff_urls(clip: Clip, objects: dict) -> dict[str, str]:
    """Every staff route, with the clip or another real object in its place."""
    ids = {
        "staff/clips/": f"id:{clip.pk}",
        "staff/segments/": objects["segment"].pk,
        "staff/ingest/": objects["job"].pk,
        "desk/requests/": objects["inquiry"].pk,
        "desk/reports/": objects["report"].pk,
        # A resumable upload's address: uploads never write a clip's text (none is made here).
        "staff/uploads/": uuid.uuid4(),
        # The clip's channel's recording pages; no recording exists, so a cut is refused with its reason.
        "staff/channels/": clip.channel.slug if clip.channel else "no-channel",
        "staff/recordings/": 0,
        # Watchlists never write a clip's text; none exists here.
        "staff/alerts/watchlists/": 0,
        "staff/media/": clip.media.first().pk if clip.media.exists() else 0,
    }
    urls = {}
    for route in _routes():
        if not route.startswith(STAFF_PREFIXES) or route in NOT_STAFF_ACTIONS:
            continue
        url = "/" + route
        if "<" in route:
            head = next(p for p in ids if route.startswith(p))
            url = "/" + head + str(ids[head]) + route[route.index(">") + 1 :]
        urls[route] = url
    return urls


def staff_posts(clip: Clip, objects: dict):
    """Plausible bodies for any staff POST: the editor's forms and autosave, a subtitle file."""
    segment = Segment.objects.get(pk=objects["segment"].pk)
    guest = segment.speaker
    text = {
        "english_text": segment.english_text + TAMPER,
        "original_text": segment.original_text + TAMPER,
        "title": clip.title + TAMPER,
        "summary": clip.summary + TAMPER,
        "label": guest.label + TAMPER,
        "speaker": str(guest.pk),
        "role": "host",
        "person": "",
        "version": str(segment.version),
        "at": "5",
        "note": "Line 2 corrected: the guest thanked everyone.",
        "text": "A note" + TAMPER,
        "reply": "A reply" + TAMPER,
        "language": "en",
    }
    for step in ("submit", "return", "publish", "assign", "", "discard"):
        yield f"form step={step!r}", {**text, "step": step, **({"discard": "1"} if step == "discard" else {})}
    yield "speaker added", {"add": "1", "label": "A new voice"}
    upload = io.BytesIO(VTT)
    upload.name = "lines.vtt"
    yield "subtitle file", {**text, "file": upload}
    yield (
        "autosave json",
        json.dumps(
            {
                "version": segment.version,
                "english_text": segment.english_text + TAMPER,
                "speaker_id": guest.pk,
            }
        ),
    )


def walk_staff(client, guard: Guard, objects: dict) -> set[str]:
    walked = set()
    urls = staff_urls(guard.clip, objects)
    # The correction URL last: by then this role's own edits may wait in a pending revision.
    order = sorted(urls, key=lambda route: route.endswith("/correction/"))
    for route in order:
        for label, body in staff_posts(guard.clip, objects):
            if isinstance(body, str):
                response = client.post(urls[route], body, content_type="application/json")
            else:
                response = client.post(urls[route], body)
            guard.check(f"POST {route} ({label})", response)
        walked.add(route)
    return walked


@pytest.mark.parametrize("role", ROLES)
def test_only_a_published_correction_changes_a_published_clip(client, roles, scene, role):
    clip, objects = scene
    user = roles[role]
    client.force_login(user)
    guard = Guard(clip, user)

    walked = walk_admin(client, guard, objects)
    assert {
        f"{m} change" for m in [("archive", "clip"), ("archive", "person"), ("media", "mediaasset")]
    } <= walked
    assert "('archive', 'clip') revert" in walked
    assert "staff/segments/<int:pk>/" in walk_staff(client, guard, objects)

    if user.has_perm("archive.publish_correction") and user.has_perm("transcripts.change_segment"):
        # The one way that is open: the role's own edits, published as a correction with a note.
        assert guard.corrections >= 1
    else:
        assert guard.corrections == 0


def test_the_clip_form_shows_lines_speakers_and_references_read_only(client, roles, scene):
    clip, _ = scene
    client.force_login(roles["admin"])
    page = BeautifulSoup(
        client.get(reverse("admin:archive_clip_change", args=[clip.pk])).content, "html.parser"
    )
    assert "Thank you [all] for having me." in page.get_text()
    assert "MEMRI TV clip no 8575" in page.get_text()
    for prefix in ("segments", "speakers", "references"):
        assert page.select(f"[name^='{prefix}-0-']:not([type=hidden])") == [], prefix
    editor = page.select_one(f"a[href='/staff/clips/id:{clip.pk}/edit/']")
    assert editor is not None


def test_a_voice_on_published_lines_is_not_renamed_in_place(client, roles, scene):
    from django.core.exceptions import ValidationError

    from clipdesk.transcripts import actions as transcript_actions

    clip, objects = scene
    guest = Segment.objects.get(pk=objects["segment"].pk).speaker
    with pytest.raises(ValidationError, match="without a correction"):
        transcript_actions.rename_speaker(guest.pk, user=roles["editor"], label="Someone else")
    client.force_login(roles["editor"])
    response = client.post(
        f"/staff/clips/id:{clip.pk}/speakers/", {"speaker": guest.pk, "label": "Someone else"}, follow=True
    )
    assert "without a correction" in response.content.decode()
    assert Speaker.objects.get(pk=guest.pk).label == "Ali Hassan"
    # The way that is open: a new voice, the line moved to it in a correction.
    new = transcript_actions.add_speaker(clip, user=roles["editor"], label="Ali Hassan Khalil")
    transcript_actions.rename_speaker(new.pk, user=roles["editor"], label="Ali H. Khalil")
    segment = Segment.objects.get(pk=objects["segment"].pk)
    transcript_actions.edit_segment(
        segment.pk, user=roles["editor"], version=segment.version, speaker_id=new.pk
    )
    assert Segment.objects.get(pk=segment.pk).speaker_id == guest.pk
    revision = Revision.objects.pending().get(clip=clip)
    transcript_actions.publish_correction(revision, user=roles["publisher"], note="The guest's full name.")
    assert Segment.objects.get(pk=segment.pk).speaker.label == "Ali H. Khalil"


def test_a_stale_autosave_after_an_admin_save_is_refused(client, roles, scene):
    """The reported sequence: an admin save, then an editor's autosave based on the older version."""
    clip, objects = scene
    segment = Segment.objects.get(pk=objects["segment"].pk)
    loaded = segment.version
    client.force_login(roles["editor"])
    url = reverse("admin:archive_clip_change", args=[clip.pk])
    data = {**forged_inlines(clip), **form_values(client.get(url).content), "_save": ["Save"]}
    client.post(url, data)
    segment.refresh_from_db()
    assert segment.english_text == "Thank you [all] for having me."
    saved = client.post(
        f"/staff/segments/{segment.pk}/",
        json.dumps({"version": loaded, "english_text": "Thank you all for having me."}),
        content_type="application/json",
    )
    assert saved.status_code == 200  # nothing moved under it: its version is still current
    assert Revision.objects.pending().get(clip=clip).edits.get(segment=segment).after == (
        "Thank you all for having me."
    )
    stale = client.post(
        f"/staff/segments/{segment.pk}/",
        json.dumps({"version": loaded, "english_text": "Thanks."}),
        content_type="application/json",
    )
    assert stale.status_code == 409
