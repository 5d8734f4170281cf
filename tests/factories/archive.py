import datetime as dt

import factory
from django.contrib.auth import get_user_model

from clipdesk.archive.models import Channel, Clip, Person, Topic, make_slug


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    name = factory.Sequence(lambda n: f"Channel {n} TV")
    slug = factory.LazyAttribute(lambda o: make_slug(o.name))
    country = "Lebanon"
    language = "ar"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: make_slug(o.name))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.LazyAttribute(lambda o: make_slug(o.name))


class ClipFactory(factory.django.DjangoModelFactory):
    """A draft clip. Use `published=True` to publish it through the real action."""

    class Meta:
        model = Clip
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Clip number {n} about events")
    slug = factory.LazyAttribute(lambda o: make_slug(o.title))
    summary = "A summary."
    channel = factory.SubFactory(ChannelFactory)
    aired_on = dt.date(2021, 5, 28)
    duration_ms = 153_000

    @factory.post_generation
    def published(self, create, extracted, **kwargs):
        if create and extracted:
            from clipdesk.archive.actions import publish_clip

            published = publish_clip(self, user=None)
            self.number, self.status, self.published_at = (
                published.number,
                published.status,
                published.published_at,
            )
