"""Prometheus metrics for operators, read from the database and the queue at each scrape.

Every value is read when Prometheus asks (a custom collector), not counted in the process that did
the work: web servers and workers are many processes on many machines, and the database is the one
place that knows them all. Counters are totals of rows (alerts made, alert emails sent), so they
never reset when a process restarts.
"""

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from clipdesk.alerts.models import Alert, AlertEmail, LiveChannel, LiveLine
from clipdesk.ingest.models import IngestJob
from clipdesk.recording.models import ChannelSource, Gap, Segment
from clipdesk.subscriptions.models import OutboxMessage

from . import health

LAG_WINDOW = dt.timedelta(days=2)  # lines older than this do not count toward a channel's lag
LATENCY_WINDOW = dt.timedelta(hours=1)


def _seconds(delta: dt.timedelta | None) -> float:
    return delta.total_seconds() if delta is not None else 0.0


class ClipdeskCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield from self._queue(now)
        yield from self._channels(now)
        yield from self._alerts(now)
        yield from self._mail()

    def _queue(self, now: dt.datetime) -> Iterator[Metric]:
        depth = GaugeMetricFamily("clipdesk_queue_depth", "Jobs waiting in the job queue.")
        probe = health.queue()
        depth.add_metric([], float(probe.data.get("pending", 0)) if probe.ok else float("nan"))
        yield depth
        jobs = IngestJob.objects.aggregate(
            queued=Count("pk", filter=Q(status=IngestJob.Status.QUEUED)),
            running=Count("pk", filter=Q(status=IngestJob.Status.RUNNING)),
            oldest=Min("enqueued_at", filter=Q(status=IngestJob.Status.QUEUED)),
        )
        states = GaugeMetricFamily("clipdesk_ingest_jobs", "Ingest jobs by status.", labels=["status"])
        states.add_metric(["queued"], jobs["queued"])
        states.add_metric(["running"], jobs["running"])
        yield states
        wait = GaugeMetricFamily(
            "clipdesk_ingest_oldest_queued_seconds", "How long the oldest queued ingest job has waited."
        )
        wait.add_metric([], _seconds(now - jobs["oldest"]) if jobs["oldest"] else 0.0)
        yield wait
        latency = GaugeMetricFamily(
            "clipdesk_ingest_job_seconds",
            "Ingest jobs finished in the last hour: mean seconds from enqueue to start, and of the run.",
            labels=["part"],
        )
        recent = IngestJob.objects.filter(
            status=IngestJob.Status.DONE, finished_at__gte=now - LATENCY_WINDOW, started_at__isnull=False
        ).values_list("enqueued_at", "started_at", "finished_at")[:1000]
        waits = [_seconds(s - e) for e, s, _ in recent if e]
        runs = [_seconds(f - s) for _, s, f in recent if f]
        latency.add_metric(["wait"], sum(waits) / len(waits) if waits else 0.0)
        latency.add_metric(["run"], sum(runs) / len(runs) if runs else 0.0)
        yield latency

    def _channels(self, now: dt.datetime) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "clipdesk_live_lag_seconds",
            "How far each channel's live transcript is behind its recording: seconds of recorded air after "
            "its watermark (the live transcription's own measure); without live state, now less its newest line.",
            labels=["channel"],
        )
        lagging = GaugeMetricFamily(
            "clipdesk_live_lagging",
            "1 while a channel is in a lag incident (the admins were emailed).",
            labels=["channel"],
        )
        gaps = GaugeMetricFamily(
            "clipdesk_recording_open_gaps", "Gaps still open, per channel.", labels=["channel"]
        )
        gap_seconds = GaugeMetricFamily(
            "clipdesk_recording_gap_seconds_24h",
            "Seconds not recorded in the last 24 hours.",
            labels=["channel"],
        )
        since = now - dt.timedelta(hours=24)
        newest_line = dict(
            LiveLine.objects.filter(day__gte=(now - LAG_WINDOW).date(), start__gte=now - LAG_WINDOW)
            .values("source")
            .annotate(newest=Max("end"))
            .values_list("source", "newest")
        )
        recorded = dict(
            Segment.objects.filter(end__gte=now - LAG_WINDOW)
            .values("source")
            .annotate(newest=Max("end"))
            .values_list("source", "newest")
        )
        states = {live.source_id: live for live in LiveChannel.objects.all()}
        for source in ChannelSource.objects.select_related("channel").filter(paused=False):
            name = source.channel.slug
            state = states.get(source.pk)
            if state is not None and state.enabled and state.watermark and source.pk in recorded:
                lag.add_metric([name], max(0.0, _seconds(recorded[source.pk] - state.watermark)))
            elif state is not None and state.enabled and state.lag_seconds is not None:
                lag.add_metric([name], state.lag_seconds)
            else:
                last = newest_line.get(source.pk)
                lag.add_metric([name], _seconds(now - last) if last else float("nan"))
            lagging.add_metric([name], 1.0 if state is not None and state.lagging_since else 0.0)
            open_gaps, missed = 0, 0.0
            for start, end in (
                Gap.objects.filter(source=source)
                .filter(Q(end__isnull=True) | Q(end__gt=since))
                .values_list("start", "end")
            ):
                open_gaps += end is None
                missed += _seconds(min(end or now, now) - max(start, since))
            gaps.add_metric([name], open_gaps)
            gap_seconds.add_metric([name], missed)
        yield lag
        yield lagging
        yield gaps
        yield gap_seconds

    def _alerts(self, now: dt.datetime) -> Iterator[Metric]:
        made = CounterMetricFamily("clipdesk_alerts", "Alerts raised by watchlists.")
        made.add_metric([], Alert.objects.count())
        yield made
        latency = GaugeMetricFamily(
            "clipdesk_alert_latency_seconds",
            "Air to alert over the last hour's alerts: the median and the 95th percentile.",
            labels=["quantile"],
        )
        delays = sorted(
            _seconds(made_at - aired)
            for made_at, aired in Alert.objects.filter(created_at__gte=now - LATENCY_WINDOW).values_list(
                "created_at", "air_time"
            )[:10_000]
        )
        for q in (0.5, 0.95):
            latency.add_metric(
                [str(q)], delays[min(len(delays) - 1, int(q * len(delays)))] if delays else 0.0
            )
        yield latency
        sent = CounterMetricFamily("clipdesk_alert_emails_sent", "Alert emails sent.")
        sent.add_metric([], AlertEmail.objects.filter(status=AlertEmail.Status.SENT).count())
        yield sent

    def _mail(self) -> Iterator[Metric]:
        outbox = GaugeMetricFamily(
            "clipdesk_mail_outbox", "Mail waiting to be sent, per outbox.", labels=["outbox"]
        )
        outbox.add_metric(["alerts"], AlertEmail.objects.pending().count())
        outbox.add_metric(
            ["subscriptions"], OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
        )
        yield outbox
        failed = GaugeMetricFamily(
            "clipdesk_mail_given_up", "Mail given up after every attempt, per outbox.", labels=["outbox"]
        )
        failed.add_metric(["alerts"], AlertEmail.objects.filter(status=AlertEmail.Status.FAILED).count())
        failed.add_metric(
            ["subscriptions"], OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
        )
        yield failed


def registry() -> CollectorRegistry:
    found = CollectorRegistry(auto_describe=False)
    found.register(ClipdeskCollector())
    return found
