import datetime as dt

import factory

from clipdesk.inquiries.models import Inquiry, TranslationReport

from .transcripts import SegmentFactory


class InquiryFactory(factory.django.DjangoModelFactory):
    """A new request, as the public form would store it."""

    class Meta:
        model = Inquiry

    category = Inquiry.Category.MEDIA
    kind = Inquiry.Kind.CLIP
    name = factory.Sequence(lambda n: f"Requester {n}")
    organisation = "The Daily Record"
    email = factory.Sequence(lambda n: f"requester{n}@example.com")
    deadline = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=14))
    details = "The full interview with the minister on Channel 1, aired last Tuesday, with English subtitles."


class TranslationReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TranslationReport

    segment = factory.SubFactory(SegmentFactory, clip__published=True)
    clip = factory.SelfAttribute("segment.clip")
    position = factory.SelfAttribute("segment.position")
    quoted_english = factory.SelfAttribute("segment.english_text")
    note = "The verb means 'threatened', not 'warned'."
