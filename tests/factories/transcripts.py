import factory

from clipdesk.transcripts.models import Segment, Speaker

from .archive import ClipFactory


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    clip = factory.SubFactory(ClipFactory)
    label = factory.Sequence(lambda n: f"Speaker {n}")


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    clip = factory.SubFactory(ClipFactory)
    position = factory.Sequence(lambda n: n)
    english_text = "Words that were said."
