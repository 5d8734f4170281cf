"""Draft → in review → published → withdrawn, and corrections to published clips, through the staff pages."""

import pytest
from bs4 import BeautifulSoup

from clipdesk.archive import actions as archive_actions
from clipdesk.archive.models import Clip
from clipdesk.transcripts import actions
from clipdesk.transcripts.diff import word_diff
from clipdesk.transcripts.models import Revision, Segment

pytestmark = pytest.mark.django_db


def step(client, clip, name, **data):
    return client.post(f"/staff/clips/id:{clip.pk}/workflow/", {"step": name, **data}, follow=True)


def status(clip) -> str:
    return Clip.objects.get(pk=clip.pk).status


def test_workflow_through_the_editor(client, timed_clip, roles):
    client.force_login(roles["translator"])
    assert "You need the permission" in step(client, timed_clip, "submit").content.decode()
    assert status(timed_clip) == "draft"
    client.force_login(roles["editor"])
    step(client, timed_clip, "submit")
    assert status(timed_clip) == "review"
    assert "You need the permission" in step(client, timed_clip, "publish").content.decode()
    client.force_login(roles["publisher"])
    step(client, timed_clip, "publish")
    assert status(timed_clip) == "published"
    assert "needs a reason" in step(client, timed_clip, "withdraw", reason=" ").content.decode()
    step(client, timed_clip, "withdraw", reason="Misattributed speaker")
    assert status(timed_clip) == "withdrawn"
    history = [h.status for h in Clip.objects.get(pk=timed_clip.pk).history.order_by("history_id")]
    assert history[-4:] == ["review", "published", "published", "withdrawn"][-4:] or "withdrawn" in history


def test_machine_english_needs_explicit_confirmation(client, timed_clip, roles):
    Segment.objects.filter(clip=timed_clip, position=0).update(english_origin="machine")
    client.force_login(roles["publisher"])
    page = client.get(f"/staff/clips/id:{timed_clip.pk}/edit/").content.decode()
    assert 'name="confirm_machine_text"' in page
    refused = step(client, timed_clip, "publish")
    assert "still machine-made" in refused.content.decode() and status(timed_clip) == "draft"
    step(client, timed_clip, "publish", confirm_machine_text="yes")
    assert status(timed_clip) == "published"


def test_assign_and_my_work(client, timed_clip, roles):
    client.force_login(roles["editor"])
    step(client, timed_clip, "assign", assignee=roles["translator"].pk)
    assert Clip.objects.get(pk=timed_clip.pk).assignee == roles["translator"]
    client.force_login(roles["translator"])
    page = BeautifulSoup(client.get("/staff/work/?assignee=me").content, "html.parser")
    assert [td.get_text() for td in page.select(".worklist tbody td:nth-of-type(2)")] == [timed_clip.title]
    assert "You have 1 clip assigned" in page.get_text()


def test_edits_to_a_published_clip_wait_for_a_correction(client, timed_clip, roles):
    clip = archive_actions.publish_clip(timed_clip, user=None, number=300)
    segment = Segment.objects.get(clip=clip, position=1)
    saved = actions.edit_segment(
        segment.pk, user=roles["editor"], version=1, english_text="Thank you all for inviting me."
    )
    assert saved.english_text == "Thank you [all] for having me."  # readers still see the published text
    assert actions.pending_value(saved, "english_text") == "Thank you all for inviting me."
    page = client.get(clip.get_absolute_url()).content.decode()
    assert "inviting" not in page and "Corrections" not in page

    revision = Revision.objects.pending().get(clip=clip)
    client.force_login(roles["editor"])
    editor_page = client.get(f"/staff/clips/id:{clip.pk}/edit/").content.decode()
    assert (
        "Pending changes to the published clip" in editor_page
        and "Publish as a correction" not in editor_page
    )
    client.force_login(roles["publisher"])
    refused = client.post(f"/staff/clips/id:{clip.pk}/correction/", {"note": ""}, follow=True)
    assert "needs a public note" in refused.content.decode()
    client.post(f"/staff/clips/id:{clip.pk}/correction/", {"note": "Translation of line 2 corrected."})
    revision.refresh_from_db()
    assert revision.status == Revision.Status.PUBLISHED and revision.published_by == roles["publisher"]
    segment.refresh_from_db()
    assert segment.english_text == "Thank you all for inviting me." and segment.english_origin == "human"

    page = BeautifulSoup(client.get(clip.get_absolute_url()).content, "html.parser")
    section = page.select_one(".corrections")
    assert "Translation of line 2 corrected." in section.get_text()
    assert [d.get_text() for d in section.select("del")] == ["[all]", "having"]
    assert [i.get_text() for i in section.select("ins")] == ["all", "inviting"]
    assert roles["publisher"].username not in section.get_text()  # staff names stay private


def test_changing_back_cancels_a_pending_edit(timed_clip, roles):
    clip = archive_actions.publish_clip(timed_clip, user=None)
    segment = Segment.objects.get(clip=clip, position=0)
    s = actions.edit_segment(segment.pk, user=roles["editor"], version=1, english_text="Hello.")
    actions.edit_segment(segment.pk, user=roles["editor"], version=s.version, english_text="Welcome.")
    assert not Revision.objects.get(clip=clip).edits.exists()


def test_title_change_on_a_published_clip_is_a_correction(timed_clip, roles):
    clip = archive_actions.publish_clip(timed_clip, user=None)
    archive_actions.update_clip(clip, user=roles["editor"], title="Bilingual interview, corrected")
    assert Clip.objects.get(pk=clip.pk).title == "Bilingual interview"
    actions.publish_correction(Revision.objects.pending().get(), user=roles["publisher"], note="Title")
    assert Clip.objects.get(pk=clip.pk).title == "Bilingual interview, corrected"


def test_structure_is_locked_once_published(timed_clip, roles):
    from django.core.exceptions import ValidationError

    clip = archive_actions.publish_clip(timed_clip, user=None)
    segment = Segment.objects.get(clip=clip, position=0)
    with pytest.raises(ValidationError, match="not published"):
        actions.split_segment(segment.pk, user=roles["publisher"], version=1, at=3)


def test_word_diff():
    html = str(word_diff("the quick brown fox", "the slow brown dog"))
    assert html == "the <del>quick</del><ins>slow</ins> brown <del>fox</del><ins>dog</ins>"
    assert "&lt;b&gt;" in str(word_diff("<b>", "x"))
