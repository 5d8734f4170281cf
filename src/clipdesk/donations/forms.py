"""The donate form: once or monthly, a preset or custom amount, a currency, an email for the receipt."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import CURRENCIES, Donation

MIN_AMOUNT = Decimal("1")
MAX_AMOUNT = Decimal("10000")  # larger gifts: write to us
OTHER = "other"


def _setting_list(value: str | list[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    return [str(item).strip().lower() for item in items if str(item).strip()]


def offered_currencies() -> list[str]:
    codes = _setting_list(settings.CLIPDESK_DONATION_CURRENCIES)
    unknown = [c for c in codes if c not in CURRENCIES]
    if unknown or not codes:
        raise ImproperlyConfigured(
            f"CLIPDESK_DONATION_CURRENCIES names {unknown or 'nothing'}; choose from {sorted(CURRENCIES)}."
        )
    return codes


def preset_amounts() -> list[int]:
    """Whole units of the chosen currency, as offered on the page (CLIPDESK_DONATION_AMOUNTS)."""
    try:
        return [int(a) for a in _setting_list(settings.CLIPDESK_DONATION_AMOUNTS)]
    except ValueError:
        raise ImproperlyConfigured(
            "CLIPDESK_DONATION_AMOUNTS must be whole numbers, e.g. 10,25,50,100."
        ) from None


class DonateForm(forms.Form):
    kind = forms.ChoiceField(
        label="How often",
        choices=Donation.Kind.choices,
        widget=forms.RadioSelect,
        initial=Donation.Kind.ONE_TIME,
    )
    amount = forms.ChoiceField(label="Amount", widget=forms.RadioSelect)
    other_amount = forms.DecimalField(
        label="Another amount",
        required=False,
        min_value=MIN_AMOUNT,
        max_value=MAX_AMOUNT,
        decimal_places=2,
        max_digits=7,
        help_text=f"If you chose another amount: from {MIN_AMOUNT} to {MAX_AMOUNT:,}.",
    )
    currency = forms.ChoiceField(label="Currency")
    email = forms.EmailField(label="Email address", max_length=254, help_text="For your receipt.")
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        presets = preset_amounts()
        self.fields["amount"].choices = [(str(a), f"{a:,}") for a in presets] + [(OTHER, "Another amount")]
        self.fields["amount"].initial = str(presets[len(presets) // 2]) if presets else OTHER
        currencies = offered_currencies()
        self.fields["currency"].choices = [(c, f"{c.upper()}: {CURRENCIES[c]}") for c in currencies]
        self.fields["currency"].initial = currencies[0]

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def clean(self):
        cleaned = super().clean()
        amount, other = cleaned.get("amount"), cleaned.get("other_amount")
        if amount == OTHER:
            if other is None and "other_amount" not in self.errors:
                self.add_error("other_amount", "Enter the amount you would like to give.")
            elif other is not None:
                cleaned["amount_minor"] = int(other * 100)
        elif amount:
            cleaned["amount_minor"] = int(amount) * 100
        return cleaned
