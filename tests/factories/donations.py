import factory
from django.utils import timezone

from clipdesk.donations.models import Donation, Payment


class DonationFactory(factory.django.DjangoModelFactory):
    """A pending donation through the offline provider."""

    class Meta:
        model = Donation

    provider = "offline"
    kind = Donation.Kind.ONE_TIME
    amount_minor = 2500
    currency = "usd"
    email = factory.Sequence(lambda n: f"donor{n}@example.com")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    donation = factory.SubFactory(DonationFactory, status=Donation.Status.COMPLETED)
    provider = factory.SelfAttribute("donation.provider")
    provider_ref = factory.Sequence(lambda n: f"pay_{n}")
    amount_minor = factory.SelfAttribute("donation.amount_minor")
    currency = factory.SelfAttribute("donation.currency")
    paid_at = factory.LazyFunction(timezone.now)
