import factory
from django.test import TestCase
from django.utils import timezone

from clipdesk.archive.actions import publish_clip
from clipdesk.subscriptions.models import PublicationEvent, SavedSearch, Subscriber

from .archive import ClipFactory


def publish(clip=None, **fields):
    """Publish a clip through the real action and run what follows its commit (the publication log).

    Tests run inside a transaction that never commits, so the callbacks are run here instead.
    """
    clip = clip or ClipFactory(**fields)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return publish_clip(clip, user=None)


class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber whose digests start from now. Pass topics=[...], people=[...],
    channels=[...], searches=["query", ...] for what they follow."""

    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    frequency = "daily"
    confirmed_at = factory.LazyFunction(timezone.now)
    last_sequence = factory.LazyFunction(lambda: PublicationEvent.objects.high_mark())

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        if create and extracted:
            self.people.set(extracted)

    @factory.post_generation
    def channels(self, create, extracted, **kwargs):
        if create and extracted:
            self.channels.set(extracted)

    @factory.post_generation
    def searches(self, create, extracted, **kwargs):
        if create and extracted:
            SavedSearch.objects.bulk_create(SavedSearch(subscriber=self, query=q) for q in extracted)


class PartialIndex:
    """A search engine that has not indexed the clips in `PartialIndex.pending` yet; it finds the rest
    as the local engine does. Chosen with CLIPDESK_SAVED_SEARCH_BACKEND."""

    pending: set[int] = set()

    def indexed(self, clip_ids):
        return {pk for pk in clip_ids if pk not in self.pending}

    def matching(self, query, clip_ids):
        from clipdesk.subscriptions.matching import DatabaseSavedSearch

        return DatabaseSavedSearch().matching(query, [pk for pk in clip_ids if pk not in self.pending])
