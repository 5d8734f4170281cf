"""Donations: one-time gifts and monthly pledges, the payments received, and the provider events handled."""

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Sum
from simple_history.models import HistoricalRecords

# Currencies with two decimal places: amounts are kept in their minor unit (cents).
CURRENCIES = {
    "usd": "US dollar",
    "eur": "Euro",
    "gbp": "Pound sterling",
    "cad": "Canadian dollar",
    "aud": "Australian dollar",
    "nzd": "New Zealand dollar",
    "chf": "Swiss franc",
    "sek": "Swedish krona",
    "nok": "Norwegian krone",
    "dkk": "Danish krone",
}


def major_units(amount_minor: int) -> str:
    """'1234.50' for 123450 cents."""
    return f"{Decimal(amount_minor).scaleb(-2):.2f}"


def format_money(amount_minor: int, currency: str) -> str:
    """'1,234.50 USD'."""
    return f"{Decimal(amount_minor).scaleb(-2):,.2f} {currency.upper()}"


class DonationQuerySet(models.QuerySet):
    def monthly(self) -> "DonationQuerySet":
        return self.filter(kind=Donation.Kind.MONTHLY)

    def one_time(self) -> "DonationQuerySet":
        return self.filter(kind=Donation.Kind.ONE_TIME)

    def active_pledges(self) -> "DonationQuerySet":
        return self.monthly().filter(status=Donation.Status.ACTIVE)

    def with_received(self) -> "DonationQuerySet":
        """Each donation with `received_minor` (sum of its payments) and `payment_count`."""
        return self.annotate(received_minor=Sum("payments__amount_minor"), payment_count=Count("payments"))

    def totals(self) -> list[dict]:
        """Per currency: money received, payments, and the monthly total of the active pledges among these."""
        # A fresh queryset over the same rows: annotations on `self` would multiply the sums.
        chosen = Donation.objects.filter(pk__in=self.values("pk"))
        received = (
            Payment.objects.filter(donation__in=chosen)
            .values("currency")
            .annotate(total=Sum("amount_minor"), count=Count("id"))
            .order_by()
        )
        pledged = chosen.active_pledges().values("currency").annotate(monthly=Sum("amount_minor")).order_by()
        rows: dict[str, dict] = {}
        for row in received:
            rows.setdefault(row["currency"], {"received": 0, "payments": 0, "monthly": 0}).update(
                received=row["total"], payments=row["count"]
            )
        for row in pledged:
            rows.setdefault(row["currency"], {"received": 0, "payments": 0, "monthly": 0})["monthly"] = row[
                "monthly"
            ]
        return [
            {
                "currency": currency.upper(),
                "received": format_money(row["received"], currency),
                "payments": row["payments"],
                "monthly": format_money(row["monthly"], currency),
            }
            for currency, row in sorted(rows.items())
        ]


class Donation(models.Model):
    """A gift as the donor chose it: once or monthly, an amount, a currency, and where it stands."""

    class Kind(models.TextChoices):
        ONE_TIME = "one_time", "One-time"
        MONTHLY = "monthly", "Monthly"

    class Status(models.TextChoices):
        PENDING = "pending", "Checkout started"
        COMPLETED = "completed", "Paid"  # one-time, received
        ACTIVE = "active", "Active"  # monthly, running
        CANCELLED = "cancelled", "Cancelled"  # monthly, ended
        ABANDONED = "abandoned", "Abandoned"  # the checkout expired or failed
        FAILED = "failed", "Provider unavailable"  # no checkout could be opened

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(max_length=30, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount_minor = models.PositiveIntegerField(
        "amount (cents)", validators=[MinValueValidator(1)], help_text="In the currency's minor unit."
    )
    currency = models.CharField(max_length=3, choices=sorted(CURRENCIES.items()))
    email = models.EmailField(help_text="Where the receipts go.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, editable=False)
    checkout_id = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    subscription_id = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the personal data was erased (see privacy)."
    )
    history = HistoricalRecords()

    objects = DonationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_display} ({str(self.reference)[:8]})"

    @property
    def amount_display(self) -> str:
        return format_money(self.amount_minor, self.currency)


class Payment(models.Model):
    """Money received: the one payment of a one-time gift, or one month of a pledge."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=30)
    provider_ref = models.CharField(max_length=255, help_text="The provider's id of the payment.")
    amount_minor = models.PositiveIntegerField("amount (cents)")
    currency = models.CharField(max_length=3)
    paid_at = models.DateTimeField()
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_ref"], name="unique_payment_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.amount_display} on {self.paid_at:%Y-%m-%d}"

    @property
    def amount_display(self) -> str:
        return format_money(self.amount_minor, self.currency)


class ProcessedEvent(models.Model):
    """A provider event already handled. The unique constraint is what makes handling idempotent."""

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="unique_event_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"
