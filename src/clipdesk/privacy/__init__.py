"""Personal data in clipdesk: what is kept, for how long, and how it is erased.

An operator answering a data-protection request reads this table (docs/privacy.md says the same for
readers of the documentation). "Anonymise" means the personal fields are overwritten with `MARKER` or
emptied and `erased_at` is set, in the row and in every historical copy of it, while the row stays for
the counts, the clip and the outcome.

| data | where (model: fields) | kept for | then |
| --- | --- | --- | --- |
| requests to the desk | inquiries.Inquiry: name, organisation, email, details, reply (and their history) | open: until closed; closed: CLIPDESK_RETAIN_REQUESTS_MONTHS after the last change | anonymised; kind, category, status, deadline, assignee, result and dates stay |
| desk notes on a request | inquiries.InquiryNote: text | as its request | anonymised with its request |
| translation-error reports | inquiries.TranslationReport: reporter_email, note, reply (and history) | open: until closed; closed: CLIPDESK_RETAIN_REQUESTS_MONTHS | anonymised; the clip, the quoted line and the outcome stay |
| donations that were never paid | donations.Donation: email, checkout_id, subscription_id (and history) | CLIPDESK_RETAIN_UNPAID_DONATIONS_DAYS | anonymised; kind, amount, currency, status and dates stay |
| donations and receipts | donations.Donation as above; donations.Payment: provider_ref | CLIPDESK_RETAIN_RECEIPTS_YEARS after the last payment (as the law of the operator's country requires); never while a pledge is active | anonymised; amounts and dates stay |
| subscribers | subscriptions.Subscriber: email, bounce_reason, what they follow; SavedSearch: query | while subscribed; unconfirmed: CLIPDESK_RETAIN_UNCONFIRMED_DAYS; unsubscribed or rejected: CLIPDESK_RETAIN_LAPSED_SUBSCRIBERS_DAYS | deleted (they keep no history, and the reader may delete them at any time) |
| mail written to readers | subscriptions.OutboxMessage: to_email, subject, bodies | 30 days after it was sent or given up (forget_old_mail) | deleted |
| staff sign-in records | axes AccessAttempt, AccessLog, AccessFailureLog: ip_address, username, user_agent | CLIPDESK_RETAIN_LOGIN_LOGS_DAYS | deleted |
| admin change log | admin.LogEntry: object_repr, change_message | as the staff accounts | the entries about erased rows lose their description |

Not kept at all: rate-limit counters hold a keyed hash of an address, never the address; mail to
requesters, reporters and donors is sent, not stored; background jobs carry row ids only. Backups
(`clipdesk backup`) hold what the database held when they were made: they expire as the operator
rotates them.

Erasure on request (`operations.actions.erase_personal_data`) finds everything under one email
address and anonymises it at once, whatever its age, except the receipt minimum of payments still
inside CLIPDESK_RETAIN_RECEIPTS_YEARS: the amount, currency, date and the provider's payment reference.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

MARKER = "[erased]"
ON_REQUEST = "erased on request"
PAST_RETENTION = "personal data past its retention period"


@dataclass
class Report:
    """What an erasure or a purge did (or, in a dry run, would do): rows per kind, and what it kept."""

    counts: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    # (model, pk) of each row anonymised, so that the admin's log can forget how it described them.
    rows: list[tuple[type, int]] = field(default_factory=list)

    def add(self, kind: str, count: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + count

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def retention(name: str) -> int:
    """A retention period from settings (a whole number of days, months or years, as its name says)."""
    value = int(getattr(settings, name))
    if value < 0:
        raise ValueError(f"{name} cannot be negative ({value}).")
    return value


def months_before(when: dt.datetime, months: int) -> dt.datetime:
    """The same moment `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month = divmod(when.year * 12 + when.month - 1 - months, 12)
    month += 1
    day = when.day
    while True:
        try:
            return when.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def anonymise(instance, fields: dict, report: Report, *, user, reason: str, now: dt.datetime) -> None:
    """Overwrite `fields` on one row with a history entry saying why (and who, for a request), then
    overwrite the same fields in every earlier historical copy: history must not keep what was erased."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.erased_at = now
    instance._history_user = user
    instance._change_reason = reason
    instance.save()
    type(instance).history.filter(id=instance.pk).update(**fields)
    report.rows.append((type(instance), instance.pk))


def rows_with(model, field_name: str, email: str) -> list:
    """The rows of `model` whose `field_name` is `email` (in any case), now or in any historical copy."""
    lookup = {f"{field_name}__iexact": email}
    pks = {*model.objects.filter(**lookup).values_list("pk", flat=True)}
    pks |= {*model.history.filter(**lookup).values_list("id", flat=True)}
    return list(model.objects.filter(pk__in=pks).order_by("pk"))


def forget_history(model, field_name: str, email: str, fields: dict) -> None:
    """Overwrite `fields` in the historical copies that still hold `email`: those of rows deleted
    outright (the admin once allowed it), whose history outlived them."""
    model.history.filter(**{f"{field_name}__iexact": email}).update(**fields)


# Erasure on request reaches into every app that keeps personal data, so it lives in `operations`, the
# top layer; the admin action that the lower apps' lists offer (privacy.admin.EraseOnRequest) calls it
# through this registry, which OperationsConfig.ready fills.
ERASE_PERMISSION = "operations.erase_personal_data"
_erasers: list[Callable[..., Report]] = []


def register_eraser(erase: Callable[..., Report]) -> None:
    """Name the function that erases one address's data: `erase(email, *, user) -> Report`."""
    _erasers[:] = [erase]


def erase_on_request(email: str, *, user) -> Report:
    """Erase everything kept under `email` (see operations.actions.erase_personal_data)."""
    if not _erasers:
        raise LookupError("No eraser is registered: is clipdesk.operations installed?")
    return _erasers[0](email, user=user)
