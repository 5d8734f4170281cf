"""Splitting at word boundaries with times from the stored words, merging back, and undo and redo."""

import pytest
from django.core.exceptions import ValidationError

from clipdesk.transcripts import actions, review, splitting
from clipdesk.transcripts.models import EditStep, Segment, Speaker
from factories.archive import ClipFactory
from factories.transcripts import SegmentFactory

pytestmark = pytest.mark.django_db

ORIGINAL = "الباب مقفول من الداخل"  # "the door is locked from the inside"
WORDS = [
    [1000, 1400, " الباب", 0.9],
    [1450, 2000, " مقفول", 0.8],
    [2100, 2300, " من", 0.9],
    [2350, 3000, " الداخل", 0.9],
]


@pytest.fixture
def machine_line(db):
    clip = ClipFactory(title="Locked door")
    SegmentFactory(
        clip=clip, position=0, start_ms=0, end_ms=1000, original_text="قبل", english_text="Before."
    )
    line = SegmentFactory(
        clip=clip,
        position=1,
        start_ms=1000,
        end_ms=3000,
        original_text=ORIGINAL,
        original_language="ar",
        original_origin="machine",
        english_text="The door is locked from the inside.",
        english_origin="machine",
        words=WORDS,
    )
    SegmentFactory(
        clip=clip, position=2, start_ms=3000, end_ms=4000, original_text="بعد", english_text="After."
    )
    return line


def texts(clip):
    return [(s.original_text, s.english_text) for s in clip.segments.order_by("position")]


def test_split_inside_a_word_moves_to_the_nearest_boundary_and_takes_the_word_time(machine_line, roles):
    cut = ORIGINAL.index("مقفول") + 4  # inside مقفول, nearer its end: مقفو|ل
    second = actions.split_segment(machine_line.pk, user=roles["translator"], version=1, original_at=cut)
    first = Segment.objects.get(pk=machine_line.pk)
    assert (first.original_text, second.original_text) == ("الباب مقفول", "من الداخل")
    assert first.end_ms == second.start_ms == 2100  # the stored start of من
    assert (first.words, second.words) == (WORDS[:2], WORDS[2:])
    # The English is divided at the nearest word and both halves say so.
    assert " ".join([first.english_text, second.english_text]) == "The door is locked from the inside."
    assert splitting.CHECK_ENGLISH in first.split_check and splitting.CHECK_ENGLISH in second.split_check
    assert splitting.CHECK_TIME not in first.split_check  # the time came from the words
    assert splitting.CHECK_ENGLISH in review.check_line(second).reasons


def test_merge_restores_the_split_line(machine_line, roles):
    cut = ORIGINAL.index("مقفول") + 3  # مقف|ول: the tie goes to the boundary before
    actions.split_segment(machine_line.pk, user=roles["translator"], version=1, original_at=cut)
    first = Segment.objects.get(pk=machine_line.pk)
    merged = actions.merge_with_next(first.pk, user=roles["translator"], version=first.version)
    assert merged.original_text == ORIGINAL and "مقفول" in merged.original_text.split()
    assert merged.english_text == "The door is locked from the inside."
    assert (merged.start_ms, merged.end_ms, merged.words) == (1000, 3000, WORDS)


def test_a_person_edited_line_splits_at_the_nearest_stored_word_by_proportion_marked(machine_line, roles):
    edited = "الباب كان مقفول من الداخل"  # a person added a word: the words no longer match
    saved = actions.edit_segment(machine_line.pk, user=roles["translator"], version=1, original_text=edited)
    second = actions.split_segment(
        saved.pk, user=roles["translator"], version=saved.version, original_at=edited.index("من")
    )
    assert second.original_text == "من الداخل"
    # 3 of 5 edited words before the cut: round(3 * 4 / 5) = 2 stored words, so من's start.
    assert second.start_ms == 2100 and splitting.CHECK_TIME in second.split_check


def test_split_of_a_single_word_is_refused(machine_line, roles):
    one = Segment.objects.get(clip=machine_line.clip, position=2)
    with pytest.raises(ValidationError, match="one word"):
        actions.split_segment(one.pk, user=roles["translator"], version=1, original_at=1)


def test_undo_and_redo_a_split_restore_the_lines_exactly(machine_line, roles):
    user, clip = roles["translator"], machine_line.clip
    before = texts(clip)
    second = actions.split_segment(machine_line.pk, user=user, version=1, original_at=8)
    after = texts(clip)
    step = actions.undo(clip, user=user)
    assert step.kind == EditStep.Kind.SPLIT and texts(clip) == before
    restored = Segment.objects.get(pk=machine_line.pk)
    assert (restored.words, restored.end_ms, restored.split_check) == (WORDS, 3000, "")
    actions.redo(clip, user=user)
    assert texts(clip) == after and Segment.objects.filter(pk=second.pk).exists()
    with pytest.raises(ValidationError, match="nothing to redo"):
        actions.redo(clip, user=user)


def test_undo_a_merge_and_an_edit_and_a_speaker_rename(timed_clip, roles):
    user = roles["translator"]
    first = Segment.objects.get(clip=timed_clip, position=0)
    before = texts(timed_clip)
    actions.merge_with_next(first.pk, user=user, version=1)
    first.refresh_from_db()
    actions.edit_segment(first.pk, user=user, version=first.version, english_text="Typed")
    actions.edit_segment(first.pk, user=user, version=first.version + 1, english_text="Typed more")
    host = Speaker.objects.get(clip=timed_clip, label="Host")
    actions.rename_speaker(host.pk, user=user, label="Presenter")
    assert EditStep.objects.filter(user=user, clip=timed_clip).count() == 3  # the typing is one step
    assert actions.undo(timed_clip, user=user).kind == EditStep.Kind.SPEAKER
    assert Speaker.objects.get(pk=host.pk).label == "Host"
    actions.undo(timed_clip, user=user)
    assert Segment.objects.get(pk=first.pk).english_text == "Welcome. Thank you [all] for having me."
    actions.undo(timed_clip, user=user)
    assert texts(timed_clip) == before
    history = Segment.objects.get(pk=first.pk).history.first()
    assert history.history_user == user  # the undo went through the history as the person's change


def test_undo_is_per_person_and_refused_when_the_line_changed_meanwhile(timed_clip, roles):
    first = Segment.objects.get(clip=timed_clip, position=1)
    actions.edit_segment(first.pk, user=roles["translator"], version=1, english_text="Mine")
    with pytest.raises(ValidationError, match="nothing to undo"):
        actions.undo(timed_clip, user=roles["editor"])
    actions.edit_segment(first.pk, user=roles["editor"], version=2, english_text="Theirs")
    with pytest.raises(actions.EditConflict, match="changed by someone else"):
        actions.undo(timed_clip, user=roles["translator"])
    assert Segment.objects.get(pk=first.pk).english_text == "Theirs"


def test_undo_and_split_through_the_editor(client, machine_line, roles):
    client.force_login(roles["translator"])
    clip = machine_line.clip
    url = f"/staff/segments/{machine_line.pk}/split/"
    response = client.post(url, {"version": "1", "at": "5", "original_at": "8", "in": "original"})
    assert response.status_code == 302 and clip.segments.count() == 4
    page = client.get(f"/staff/clips/id:{clip.pk}/edit/").content.decode()
    assert "Undo split of line 2" in page
    undone = client.post(f"/staff/clips/id:{clip.pk}/undo/", follow=True)
    assert "Undone: split of line 2." in undone.content.decode() and clip.segments.count() == 3
    client.post(f"/staff/clips/id:{clip.pk}/undo/", {"redo": "1"})
    assert clip.segments.count() == 4
    assert client.post(url, {"version": "x", "at": "5"}).status_code == 400
    nothing = client.post(f"/staff/clips/id:{ClipFactory().pk}/undo/", {"redo": "1"}, follow=True)
    assert "nothing to redo" in nothing.content.decode()
