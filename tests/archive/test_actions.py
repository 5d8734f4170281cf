"""Named actions: numbering, workflow, permissions per role, merging, history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from clipdesk.archive import actions
from clipdesk.archive.models import Clip, ClipReference, Person, PersonAlias
from factories.archive import ClipFactory, PersonFactory
from factories.transcripts import SpeakerFactory

pytestmark = pytest.mark.django_db


def test_numbers_go_up_from_the_highest_in_the_archive():
    a, b = ClipFactory(), ClipFactory()
    actions.publish_clip(a, user=None, number=500)
    assert actions.publish_clip(b, user=None).number == 501


@override_settings(CLIPDESK_FIRST_NUMBER=1000)
def test_first_number_is_a_floor():
    assert actions.publish_clip(ClipFactory(), user=None).number == 1000
    assert actions.publish_clip(ClipFactory(), user=None).number == 1001


def test_numbers_are_never_reused_even_after_withdrawal_or_deletion():
    first = actions.publish_clip(ClipFactory(), user=None)
    actions.withdraw_clip(first, user=None, reason="Mistranslated")
    second = actions.publish_clip(ClipFactory(), user=None)
    assert second.number == first.number + 1
    Clip.objects.filter(pk=second.pk).delete()  # even a removed clip's number stays used
    assert actions.publish_clip(ClipFactory(), user=None).number == second.number + 1


def test_a_printed_number_already_in_use_is_refused():
    actions.publish_clip(ClipFactory(), user=None, number=7)
    with pytest.raises(ValidationError, match="already in the archive"):
        actions.publish_clip(ClipFactory(), user=None, number=7)


def test_number_is_unique_in_the_database():
    actions.publish_clip(ClipFactory(), user=None, number=7)
    clip = ClipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Clip.objects.filter(pk=clip.pk).update(number=7)


def test_published_clips_must_have_numbers():
    clip = ClipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.PUBLISHED)


def test_workflow_transitions(roles):
    clip = ClipFactory()
    clip = actions.submit_for_review(clip, user=roles["editor"])
    assert clip.status == Clip.Status.REVIEW
    clip = actions.return_to_draft(clip, user=roles["editor"])
    clip = actions.submit_for_review(clip, user=roles["editor"])
    clip = actions.publish_clip(clip, user=roles["publisher"])
    assert clip.status == Clip.Status.PUBLISHED and clip.number and clip.published_at
    with pytest.raises(ValidationError):
        actions.submit_for_review(clip, user=roles["editor"])
    with pytest.raises(ValidationError):
        actions.publish_clip(clip, user=roles["publisher"])
    with pytest.raises(ValidationError, match="needs a reason"):
        actions.withdraw_clip(clip, user=roles["publisher"], reason="  ")
    clip = actions.withdraw_clip(clip, user=roles["publisher"], reason="Source misidentified")
    assert clip.status == Clip.Status.WITHDRAWN and clip.withdrawn_reason == "Source misidentified"
    with pytest.raises(ValidationError):
        actions.publish_clip(clip, user=roles["publisher"])


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("submit", {"editor", "publisher", "admin"}),
        ("publish", {"publisher", "admin"}),
        ("withdraw", {"publisher", "admin"}),
        ("create", {"monitor", "editor", "publisher", "admin"}),
        ("update", {"monitor", "editor", "publisher", "admin"}),
        ("merge", {"publisher", "admin"}),
    ],
)
def test_permissions_per_role(roles, action, allowed):
    def attempt(user):
        if action == "submit":
            actions.submit_for_review(ClipFactory(), user=user)
        elif action == "publish":
            actions.publish_clip(ClipFactory(), user=user)
        elif action == "withdraw":
            actions.withdraw_clip(ClipFactory(published=True), user=user, reason="r")
        elif action == "create":
            actions.create_clip(user=user, title="A title")
        elif action == "update":
            actions.update_clip(ClipFactory(), user=user, title="New title")
        elif action == "merge":
            actions.merge_people(PersonFactory(), PersonFactory(), user=user)

    for name, user in roles.items():
        if name in allowed:
            attempt(user)
        else:
            with pytest.raises(PermissionDenied):
                attempt(user)


def test_history_is_attributed_to_the_author(roles):
    clip = actions.create_clip(user=roles["editor"], title="First title")
    clip = actions.update_clip(clip, user=roles["editor"], title="Second title")
    clip = actions.publish_clip(clip, user=roles["publisher"])
    entries = list(clip.history.order_by("history_id"))
    assert [(e.title, e.status, e.history_user.username) for e in entries] == [
        ("First title", "draft", "editor"),
        ("Second title", "draft", "editor"),
        ("Second title", "published", "publisher"),
    ]
    assert clip.slug == "second-title"


def test_create_clip_validates():
    with pytest.raises(ValidationError, match="needs a title"):
        actions.create_clip(user=None, title="   ")


def test_merge_people_moves_everything(roles):
    keep = PersonFactory(name="Ibrahim Al-Amine")
    other = PersonFactory(name="Ibrahim al-Amin", description="Editor of Al-Akhbar")
    PersonAlias.objects.create(person=other, name="Al-Amin")
    speaker = SpeakerFactory(person=other)
    clip = ClipFactory(published=True)
    clip.people.add(other)
    ClipReference.objects.create(clip=clip, number=1, person=other)

    actions.merge_people(keep, other, user=roles["publisher"])

    assert not Person.objects.filter(pk=other.pk).exists()
    keep.refresh_from_db()
    speaker.refresh_from_db()
    assert speaker.person == keep
    assert list(clip.people.all()) == [keep]
    assert ClipReference.objects.get().person == keep
    assert sorted(keep.alias_names) == ["Al-Amin", "Ibrahim al-Amin"]
    assert keep.description == "Editor of Al-Akhbar"
    assert Person.objects.matching("Al-Amin").get() == keep
    with pytest.raises(ValidationError):
        actions.merge_people(keep, keep, user=None)


def test_get_or_create_person_finds_aliases():
    person = actions.get_or_create_person(user=None, name="Ibrahim Al-Amine", aliases=["Al-Amine"])
    assert actions.get_or_create_person(user=None, name="al-amine") == person
    assert actions.get_or_create_person(user=None, name="Ibrahim Al-Amine II").slug == "ibrahim-al-amine-ii"


def test_clips_are_named_by_number_or_id():
    clip = actions.publish_clip(ClipFactory(), user=None, number=42)
    draft = ClipFactory()
    assert Clip.objects.get_by_reference("42") == clip
    assert Clip.objects.get_by_reference("#42") == clip
    assert Clip.objects.get_by_reference(f"id:{draft.pk}") == draft
    for bad in ("43", "id:999", "id:x", "clip"):
        with pytest.raises(Clip.DoesNotExist):
            Clip.objects.get_by_reference(bad)


def test_publish_and_withdraw_commands(capsys):
    from django.core.management import CommandError, call_command

    draft = ClipFactory()
    call_command("publish", f"id:{draft.pk}", "--number", "77")
    assert "Published #77" in capsys.readouterr().out
    with pytest.raises(CommandError, match="only drafts and clips in review"):
        call_command("publish", "77")
    with pytest.raises(CommandError, match="No clip 78"):
        call_command("withdraw", "78", "--reason", "x")
    call_command("withdraw", "77", "--reason", "Wrong speaker")
    assert Clip.objects.get(number=77).withdrawn_reason == "Wrong speaker"


def test_a_failing_receiver_after_commit_neither_fails_the_publication_nor_stops_the_others(
    django_capture_on_commit_callbacks, caplog
):
    """With the job queue down, say: the clip is published, every other receiver still runs."""
    from clipdesk.archive import signals

    heard = []

    def broken(sender, clip_id, **kwargs):
        raise ConnectionError("queue unreachable")

    def listening(sender, clip_id, **kwargs):
        heard.append(clip_id)

    signals.clip_published.connect(broken, dispatch_uid="test-broken")
    signals.clip_published.connect(listening, dispatch_uid="test-listening")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            clip = actions.publish_clip(ClipFactory(), user=None, number=42)
    finally:
        signals.clip_published.disconnect(dispatch_uid="test-broken")
        signals.clip_published.disconnect(dispatch_uid="test-listening")
    assert Clip.objects.get(pk=clip.pk).status == Clip.Status.PUBLISHED
    assert heard == [clip.pk]
    assert "queue unreachable" in caplog.text
