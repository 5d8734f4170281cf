"""The publication log that digest watermarks point into."""

import pytest
from django.apps import apps

from clipdesk.archive.actions import publish_clip, withdraw_clip
from clipdesk.archive.models import Sequence
from clipdesk.subscriptions import publication
from clipdesk.subscriptions.models import PublicationEvent
from factories.archive import ClipFactory
from factories.subscriptions import publish

pytestmark = pytest.mark.django_db


def test_publishing_appends_to_the_log_in_order():
    first, second = publish(), publish()
    events = list(PublicationEvent.objects.values_list("clip_id", "kind", "sequence"))
    assert [(c, k) for c, k, _ in events] == [(first.pk, "published"), (second.pk, "published")]
    assert events[0][2] < events[1][2]
    assert Sequence.objects.get(name="publication").last_value == events[1][2]
    assert PublicationEvent.objects.high_mark() == events[1][2]


def test_withdrawal_is_logged_and_each_event_only_once():
    from django.test import TestCase

    clip = publish()
    with TestCase.captureOnCommitCallbacks(execute=True):
        withdraw_clip(clip, user=None, reason="Wrong speaker")
    assert list(PublicationEvent.objects.values_list("kind", flat=True)) == ["published", "withdrawn"]
    assert publication.record(clip.pk, "published") is None
    assert PublicationEvent.objects.count() == 2
    assert Sequence.objects.get(name="publication").last_value == 2  # a refused append takes no number


def test_the_log_is_never_rewound():
    publish()
    PublicationEvent.objects.all().delete()
    publish()
    assert PublicationEvent.objects.get().sequence == 2


def test_clips_whose_signal_was_lost_are_recorded_before_a_run():
    kept = publish()
    lost = publish_clip(ClipFactory(), user=None)  # its after-commit signal never ran
    assert publication.record_missing() == 1
    assert PublicationEvent.objects.get(clip=lost).sequence > PublicationEvent.objects.get(clip=kept).sequence
    assert publication.record_missing() == 0


def test_the_migration_seeds_the_log_with_the_clips_already_published():
    seed = __import__("clipdesk.subscriptions.migrations.0002_seed_publication_log", fromlist=["seed"]).seed
    older = publish_clip(ClipFactory(), user=None)
    newer = publish_clip(ClipFactory(), user=None)
    ClipFactory()  # a draft stays out
    seed(apps, None)
    assert list(PublicationEvent.objects.values_list("clip_id", "sequence")) == [(older.pk, 1), (newer.pk, 2)]
    assert publish().pk and PublicationEvent.objects.high_mark() == 3
