"""Find and replace across a clip's lines, per language: a preview of every change, then each changed
line saved through edit_segment (its version checked, one undo step per line, on a published clip a
pending revision)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts import actions, findreplace
from clipdesk.transcripts.models import Revision, Segment

pytestmark = pytest.mark.django_db


def texts(clip, field="english_text"):
    return [getattr(s, field) for s in clip.segments.order_by("position")]


def versions(changes):
    return {change.segment.pk: change.segment.version for change in changes}


def test_preview_lists_every_change_in_one_language_only(timed_clip):
    changes = findreplace.find_changes(timed_clip, language="english", find="happened", replace="occurred")
    assert [(c.segment.position, c.before, c.after, c.count) for c in changes] == [
        (2, "What happened?", "What occurred?", 1)
    ]
    assert "<del>happened?</del>" in str(changes[0].diff) and "<ins>occurred?</ins>" in str(changes[0].diff)
    # The Arabic is another language: an English word is not looked for there.
    assert findreplace.find_changes(timed_clip, language="original", find="happened", replace="x") == []
    arabic = findreplace.find_changes(timed_clip, language="original", find="شكرا", replace="شكراً")
    assert [c.after for c in arabic] == ["شكراً [لكم] على الاستضافة"]


def test_case_and_whole_words(timed_clip):
    loose = findreplace.find_changes(timed_clip, language="english", find="THANK", replace="Thanks")
    assert [c.after for c in loose] == ["Thanks you [all] for having me."]
    assert (
        findreplace.find_changes(timed_clip, language="english", find="THANK", replace="x", match_case=True)
        == []
    )
    whole = findreplace.find_changes(
        timed_clip, language="english", find="hat", replace="x", whole_words=True
    )
    assert whole == []  # not inside "What"
    brackets = findreplace.find_changes(timed_clip, language="english", find="[all]", replace="all")
    assert [c.after for c in brackets] == ["Thank you all for having me."]  # the text is not a pattern


def test_apply_saves_each_previewed_line_as_an_undoable_edit(timed_clip, roles):
    user = roles["translator"]
    changes = findreplace.find_changes(timed_clip, language="english", find=".", replace="!")
    assert len(changes) == 3  # "Nothing..." has three
    saved = actions.replace_in_lines(
        timed_clip, user=user, language="english", find=".", replace="!", versions=versions(changes)
    )
    assert len(saved) == 3
    assert texts(timed_clip) == ["Welcome!", "Thank you [all] for having me!", "What happened?", "Nothing!!!"]
    assert texts(timed_clip, "english_origin")[0] == "human"
    actions.undo(timed_clip, user=user)  # one step per line: the last line goes back first
    assert texts(timed_clip) == ["Welcome!", "Thank you [all] for having me!", "What happened?", "Nothing..."]


def test_apply_only_the_lines_chosen_and_refuses_a_line_changed_since(timed_clip, roles):
    user = roles["translator"]
    changes = findreplace.find_changes(timed_clip, language="english", find=".", replace="!")
    chosen = {changes[0].segment.pk: changes[0].segment.version, changes[1].segment.pk: 1}
    other = changes[1].segment
    actions.edit_segment(other.pk, user=roles["editor"], version=1, english_text="Thanks for having me.")
    with pytest.raises(actions.EditConflict):
        actions.replace_in_lines(
            timed_clip, user=user, language="english", find=".", replace="!", versions=chosen
        )
    assert texts(timed_clip)[0] == "Welcome."  # all or nothing
    del chosen[other.pk]
    actions.replace_in_lines(
        timed_clip, user=user, language="english", find=".", replace="!", versions=chosen
    )
    assert texts(timed_clip) == ["Welcome!", "Thanks for having me.", "What happened?", "Nothing..."]


def test_refusals(timed_clip, roles):
    with pytest.raises(ValidationError):
        actions.replace_in_lines(
            timed_clip, user=roles["translator"], language="english", find="", replace="x", versions={}
        )
    with pytest.raises(ValidationError):
        findreplace.find_changes(timed_clip, language="klingon", find="a", replace="b")
    with pytest.raises(PermissionDenied):
        actions.replace_in_lines(
            timed_clip, user=roles["desk"], language="english", find="a", replace="b", versions={}
        )


def test_on_a_published_clip_the_replacements_wait_in_the_pending_revision(timed_clip, roles):
    clip = archive_actions.publish_clip(timed_clip, user=None)
    changes = findreplace.find_changes(clip, language="english", find="Welcome", replace="Hello")
    actions.replace_in_lines(
        clip,
        user=roles["editor"],
        language="english",
        find="Welcome",
        replace="Hello",
        versions=versions(changes),
    )
    assert texts(clip)[0] == "Welcome."  # readers still see the published text
    revision = Revision.objects.get(clip=clip, status=Revision.Status.PENDING)
    assert [(e.before, e.after) for e in revision.edits.all()] == [("Welcome.", "Hello.")]
    # A second preview reads the pending text.
    again = findreplace.find_changes(clip, language="english", find="Hello", replace="Hi")
    assert [c.before for c in again] == ["Hello."]


def test_page_previews_then_applies(client, timed_clip, roles):
    client.force_login(roles["translator"])
    url = f"/staff/clips/id:{timed_clip.pk}/replace/"
    page = client.get(url, {"language": "english", "find": "happened", "replace": "occurred"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 line will change" in html and "<ins>occurred?</ins>" in html
    line = Segment.objects.get(clip=timed_clip, position=2)
    data = {
        "language": "english",
        "find": "happened",
        "replace": "occurred",
        "line": [line.pk],
        f"version-{line.pk}": 1,
    }
    done = client.post(url, data)
    assert done.status_code == 302 and done["Location"].endswith(f"/staff/clips/id:{timed_clip.pk}/edit/")
    assert texts(timed_clip)[2] == "What occurred?"
    stale = client.post(url, data)  # the version is old now: the conflict is said, nothing saved
    assert stale.status_code == 302 and texts(timed_clip)[2] == "What occurred?"
    assert client.get(url, {"language": "english", "find": "", "replace": "x"}).status_code == 200
    assert client.get(url, {"language": "nope", "find": "a"}).status_code == 200
    assert client.post(url, {"language": "english", "find": "a", "line": ["x"]}).status_code == 400
    client.force_login(roles["reader"])
    assert client.get(url).status_code in (302, 403)
