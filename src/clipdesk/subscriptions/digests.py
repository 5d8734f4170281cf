"""Digest runs: for each subscriber due, the clips published since their last digest that match what
they follow, written to the outbox and sent.

Exactly once, and how:

- A subscriber's watermark is a position in the publication log (see `publication`), never a time.
- Writing a digest to the outbox and moving the watermark past its clips happen in one transaction,
  guarded by the watermark the run read: if anything moved it meanwhile (another run, a pause, an
  unsubscribe), the digest is dropped instead of written. A clip is therefore in exactly one digest.
- A subscriber whose previous digest is still waiting in the outbox (the mail server was down) gets
  no new one until it has gone; the next one then starts where that one ended.
- Saved searches read the log only up to the first clip the search engine has not indexed yet, and
  the watermark of a subscriber with saved searches stops there too, so that clip is not passed over.
"""

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from . import delivery, emails, publication
from .delivery import DeliveryReport
from .emails import DigestRenderer
from .matching import ClipFacts, Interests, SearchResults, load_facts, saved_search_matcher
from .models import OutboxMessage, PublicationEvent, SavedSearch, Subscriber

DEFAULT_BATCH_SIZE = 200


@dataclass
class RunReport:
    period: str
    dry_run: bool = False
    subscribers: int = 0
    written: int = 0
    clips: int = 0
    nothing_new: int = 0
    waiting: int = 0
    planned: list[tuple[str, int]] = field(default_factory=list)  # dry runs: (address, clips)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


@dataclass
class _Row:
    pk: int
    email: str
    key: str
    last_sequence: int


def _interests(subscriber_ids: list[int]) -> dict[int, Interests]:
    found: dict[int, Interests] = defaultdict(Interests)
    for relation, attr in (("topics", "topic_ids"), ("people", "person_ids"), ("channels", "channel_ids")):
        through = getattr(Subscriber, relation).through
        target = getattr(Subscriber, relation).field.m2m_reverse_name()
        for subscriber_id, target_id in through.objects.filter(subscriber_id__in=subscriber_ids).values_list(
            "subscriber_id", target
        ):
            getattr(found[subscriber_id], attr).add(target_id)
    for subscriber_id, query in SavedSearch.objects.filter(subscriber_id__in=subscriber_ids).values_list(
        "subscriber_id", "query"
    ):
        found[subscriber_id].queries.add(query)
    return found


class DigestRun:
    def __init__(
        self, period: str, *, now: dt.datetime, dry_run: bool, only_email: str | None, batch_size: int
    ):
        self.period, self.now, self.dry_run, self.batch_size = period, now, dry_run, batch_size
        self.report = RunReport(period=period, dry_run=dry_run)
        if not dry_run:
            publication.record_missing()
        self.high = PublicationEvent.objects.high_mark()
        self.subscribers = Subscriber.objects.due(period)
        if only_email:
            self.subscribers = self.subscribers.with_address(only_email)
        low = self.subscribers.aggregate(m=Min("last_sequence"))["m"] or 0
        events = PublicationEvent.objects.published_between(low, self.high).values_list("clip_id", "sequence")
        self.facts = load_facts(dict(events))
        self.by_topic: dict[int, list[ClipFacts]] = defaultdict(list)
        self.by_person: dict[int, list[ClipFacts]] = defaultdict(list)
        self.by_channel: dict[int, list[ClipFacts]] = defaultdict(list)
        for facts in self.facts.values():
            self.by_channel[facts.channel_id].append(facts)
            for topic_id in facts.topic_ids:
                self.by_topic[topic_id].append(facts)
            for person_id in facts.person_ids:
                self.by_person[person_id].append(facts)
        matcher = saved_search_matcher()
        indexed = matcher.indexed(list(self.facts))
        self.search_through = self.high
        for facts in sorted(self.facts.values(), key=lambda f: f.sequence):
            if facts.clip_id not in indexed:
                self.search_through = facts.sequence - 1
                break
        self.search = SearchResults(
            matcher, [f.clip_id for f in self.facts.values() if f.sequence <= self.search_through]
        )
        self.renderer = DigestRenderer()

    def total(self) -> int:
        return self.subscribers.count()

    def batches(self) -> Iterator[list[_Row]]:
        after = 0
        while True:
            rows = [
                _Row(*values)
                for values in self.subscribers.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "email", "key", "last_sequence")[: self.batch_size]
            ]
            if not rows:
                return
            yield rows
            after = rows[-1].pk

    def clips_for(self, row: _Row, interests: Interests, through: int) -> list[int]:
        """Clip ids in (watermark, through] that match, newest first."""
        after = row.last_sequence
        matched: dict[int, int] = {}
        for index, ids in (
            (self.by_topic, interests.topic_ids),
            (self.by_person, interests.person_ids),
            (self.by_channel, interests.channel_ids),
        ):
            for followed_id in ids:
                for facts in index.get(followed_id, ()):
                    if after < facts.sequence <= through:
                        matched[facts.clip_id] = facts.sequence
        for query in interests.queries:
            for clip_id in self.search(query):
                sequence = self.facts[clip_id].sequence
                if after < sequence <= through:
                    matched[clip_id] = sequence
        return sorted(matched, key=matched.__getitem__, reverse=True)

    def plan(self, rows: list[_Row]) -> "Plan":
        """What this batch's digests will hold, worked out step by step (reads only)."""
        return Plan(self, rows)

    def _plan_steps(self, rows: list[_Row], plans: list[tuple[_Row, int, list[int]]]) -> Iterator[None]:
        ids = [row.pk for row in rows]
        interests = _interests(ids)
        yield
        waiting = set(
            OutboxMessage.objects.pending_digests()
            .filter(subscriber_id__in=ids)
            .values_list("subscriber_id", flat=True)
        )
        for row in rows:
            yield
            if row.pk in waiting:
                self.report.waiting += 1
                continue
            wanted = interests.get(row.pk, Interests())
            through = self.search_through if wanted.queries else self.high
            if through <= row.last_sequence:
                self.report.nothing_new += 1
                continue
            clip_ids = self.clips_for(row, wanted, through)
            if not clip_ids:
                self.report.nothing_new += 1
            elif self.dry_run:
                self.report.planned.append((row.email, len(clip_ids)))
                self.report.written += 1
                self.report.clips += len(clip_ids)
            plans.append((row, through, clip_ids))

    def write(self, plans: list[tuple[_Row, int, list[int]]]) -> list[OutboxMessage]:
        """Write these digests to the outbox and move their watermarks, in one transaction."""
        if self.dry_run or not plans:
            return []
        claim, claimed_until = secrets.token_hex(8), self.now + delivery.lease()
        written: list[OutboxMessage] = []
        moves: dict[tuple[int, bool], list[int]] = defaultdict(list)
        with transaction.atomic():
            # Only where the watermark is still the one this run read: a digest for anything that
            # moved it meanwhile (another run, a pause, an unsubscribe) would repeat or come too late.
            current = dict(
                Subscriber.objects.due(self.period)
                .select_for_update()
                .filter(pk__in=[row.pk for row, _, _ in plans])
                .values_list("pk", "last_sequence")
            )
            for row, through, clip_ids in plans:
                if current.get(row.pk) != row.last_sequence:
                    continue
                moves[(through, bool(clip_ids))].append(row.pk)
                if clip_ids:
                    message = emails.digest(
                        row.pk,
                        row.email,
                        clip_ids,
                        first_sequence=row.last_sequence + 1,
                        last_sequence=through,
                        now=self.now,
                    )
                    message.claim, message.claimed_until = claim, claimed_until
                    message.subscriber = Subscriber(
                        pk=row.pk, email=row.email, key=row.key, frequency=self.period
                    )
                    written.append(message)
            for (through, mailed), pks in moves.items():
                changes = {"last_sequence": through, **({"last_digest_at": self.now} if mailed else {})}
                Subscriber.objects.filter(pk__in=pks).update(**changes)
            OutboxMessage.objects.bulk_create(written)
        self.report.written += len(written)
        self.report.clips += sum(m.clip_count for m in written)
        return written

    def build(self, rows: list[_Row]) -> list[OutboxMessage]:
        """Write this batch's digests to the outbox and move its watermarks, in one transaction."""
        return self.write(self.plan(rows).finish())

    def run(self, progress: Callable[[int, int], None] | None = None) -> RunReport:
        """Batch by batch: each batch is written once the one before it has been sent, and worked
        out while that one is being sent, between the server's answers."""
        with delivery.MailSession() as session:
            if not self.dry_run:
                self.report.delivery.add(delivery.deliver_due(now=self.now, session=session))
            total, done = self.total(), 0
            self.report.subscribers = total
            batches = self.batches()
            plan = self.plan(rows) if (rows := next(batches, None)) else None
            while plan is not None:
                written = self.write(plan.finish())
                following = self.plan(rows) if (rows := next(batches, None)) else None
                if written and self.report.delivery.unreachable:
                    delivery.release([m.pk for m in written])  # due at once for the retry task
                    self.report.delivery.held += len(written)
                elif written:
                    self.report.delivery.add(
                        delivery.deliver(
                            written,
                            now=self.now,
                            renderer=self.renderer,
                            session=session,
                            meanwhile=following.step if following else None,
                        )
                    )
                done += len(plan.rows)
                if progress:
                    progress(done, total)
                plan = following
        return self.report


class Plan:
    """One batch's digests being worked out. `step()` does the next piece of the work and says
    whether any is left, so that the work can be done between other things; `finish()` does the rest."""

    def __init__(self, run: DigestRun, rows: list[_Row]):
        self.rows = rows
        self.plans: list[tuple[_Row, int, list[int]]] = []
        self._steps = run._plan_steps(rows, self.plans)
        self._done = self._broken = False

    def step(self) -> bool:
        if self._broken:
            raise RuntimeError("this batch's plan failed part way and cannot be finished")
        if not self._done:
            self._broken = True  # until the step returns
            self._done = next(self._steps, True) is True
            self._broken = False
        return not self._done

    def finish(self) -> list[tuple[_Row, int, list[int]]]:
        while self.step():
            pass
        return self.plans


def run_digests(
    period: str,
    *,
    dry_run: bool = False,
    only_email: str | None = None,
    now: dt.datetime | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Write and send the `period` digests of every subscriber due (or only of `only_email`).

    `dry_run` reports what would be written and writes nothing. `progress(done, total)` is called
    after each batch of subscribers.
    """
    run = DigestRun(
        period, now=now or timezone.now(), dry_run=dry_run, only_email=only_email, batch_size=batch_size
    )
    return run.run(progress)
