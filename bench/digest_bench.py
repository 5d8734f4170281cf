"""Digest benchmark: clipdesk's digest run against plain smtplib, to the same loopback SMTP sink.

    python bench/digest_bench.py                       # 100,000 subscribers, a week of clips
    python bench/digest_bench.py --subscribers 5000    # a quicker look

What it does, in one run:

1. Builds a fresh SQLite database in a temporary directory: topics, people, organisations and
   channels, 100,000 weekly subscribers with varied interests (some with saved searches), and a week
   of clips (20 a day) published through the real action, so the publication log is the real one.
2. Starts an SMTP sink (aiosmtpd) in a process of its own that counts what it accepts and keeps an
   evenly spread sample of the messages.
3. Runs `clipdesk digest --period weekly` as the schedule would: matching, rendering, the outbox
   with its Message-IDs, watermarks, and sending through Django's SMTP backend, each message
   recorded as sent before the next. Reports digests per second.
4. Sends the sampled digests again, as pre-built bytes, with plain smtplib on one connection to the
   same sink: the rate of a sender that does nothing but send. Prints the ratio of the two.

The target is at least 0.75 of the plain rate, and 100,000 digests in under 10 minutes on 2 cores.
Nothing here is part of the test suite; `make bench` runs it.
"""

import argparse
import datetime as dt
import multiprocessing
import os
import random
import smtplib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SEED = 8891
WORDS = [
    "ceasefire",
    "negotiations",
    "rocket",
    "launches",
    "border",
    "militia",
    "parliament",
    "elections",
    "sanctions",
    "nuclear",
    "programme",
    "resistance",
    "occupation",
    "refugees",
    "reconstruction",
    "economy",
    "currency",
    "protest",
    "sermon",
    "cleric",
    "television",
    "interview",
    "documentary",
    "anniversary",
    "martyrs",
    "drone",
    "strike",
    "embassy",
    "delegation",
    "summit",
]


# The sink ------------------------------------------------------------------------------------------


def run_sink(port: int, stride: int, keep: int, control) -> None:
    """An SMTP server that accepts everything, counts it, and keeps every `stride`-th message."""
    import asyncio

    from aiosmtpd.controller import Controller

    class Sink:
        count = 0
        size = 0
        samples: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            Sink.size += len(envelope.original_content)
            if Sink.count % stride == 0 and len(Sink.samples) < keep:
                Sink.samples.append(envelope.original_content)
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port, data_size_limit=10_000_000)
    controller.start()
    control.send("ready")
    while True:
        command = control.recv()
        if command == "stats":
            control.send((Sink.count, Sink.size))
        elif command == "samples":
            control.send(Sink.samples)
        elif command == "stop":
            controller.stop()
            asyncio.set_event_loop(None)
            return


class SinkProcess:
    def __init__(self, stride: int, keep: int):
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        context = multiprocessing.get_context("spawn")
        self.control, child = context.Pipe()
        self.process = context.Process(target=run_sink, args=(self.port, stride, keep, child), daemon=True)
        self.process.start()
        assert self.control.recv() == "ready"

    def ask(self, command: str):
        self.control.send(command)
        return self.control.recv()

    def stop(self) -> None:
        self.control.send("stop")
        self.process.join(10)


# The data ------------------------------------------------------------------------------------------


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def build_archive(rng: random.Random, args) -> None:
    from django.utils import timezone

    from clipdesk.archive.actions import publish_clip
    from clipdesk.archive.models import Channel, Clip, Person, Topic, make_slug
    from clipdesk.subscriptions.models import SavedSearch, Subscriber

    topics = Topic.objects.bulk_create(
        Topic(name=f"Topic {n}", slug=f"topic-{n}") for n in range(args.topics)
    )
    people = Person.objects.bulk_create(
        Person(name=f"Person {n}", slug=f"person-{n}", kind="organisation" if n % 5 == 0 else "person")
        for n in range(args.people)
    )
    channels = Channel.objects.bulk_create(
        Channel(name=f"Channel {n} TV", slug=f"channel-{n}-tv", country="Lebanon")
        for n in range(args.channels)
    )

    # Subscribers first: the week's clips are published after they subscribed.
    now = timezone.now()
    batch = 5000
    for start in range(0, args.subscribers, batch):
        rows = Subscriber.objects.bulk_create(
            Subscriber(email=f"reader{n}@example.org", frequency="weekly", confirmed_at=now)
            for n in range(start, min(start + batch, args.subscribers))
        )
        topic_rows, people_rows, channel_rows, searches = [], [], [], []
        for subscriber in rows:
            for topic in rng.sample(topics, rng.randint(1, 3)):
                topic_rows.append(Subscriber.topics.through(subscriber=subscriber, topic=topic))
            for person in rng.sample(people, rng.randint(0, 3)):
                people_rows.append(Subscriber.people.through(subscriber=subscriber, person=person))
            if rng.random() < 0.3:
                channel_rows.append(
                    Subscriber.channels.through(subscriber=subscriber, channel=rng.choice(channels))
                )
            if rng.random() < 0.1:
                searches.append(SavedSearch(subscriber=subscriber, query=" ".join(rng.sample(WORDS[:12], 2))))
        Subscriber.topics.through.objects.bulk_create(topic_rows)
        Subscriber.people.through.objects.bulk_create(people_rows)
        Subscriber.channels.through.objects.bulk_create(channel_rows)
        SavedSearch.objects.bulk_create(searches)

    first_day = dt.date.today() - dt.timedelta(days=7)
    for n in range(args.clips):
        title = f"{sentence(rng, rng.randint(6, 12))[:-1]} ({n})"
        clip = Clip.objects.create(
            title=title,
            slug=make_slug(title),
            summary=" ".join(sentence(rng, rng.randint(10, 20)) for _ in range(4)),
            aired_on=first_day + dt.timedelta(days=n * 7 // args.clips),
            duration_ms=rng.randint(60_000, 600_000),
            channel=rng.choice(channels),
        )
        clip.topics.set(rng.sample(topics, rng.randint(1, 3)))
        clip.people.set(rng.sample(people, rng.randint(0, 2)))
        publish_clip(clip, user=None)


# The two senders -----------------------------------------------------------------------------------


def clipdesk_run() -> tuple[float, int]:
    from clipdesk.subscriptions import actions

    started = time.perf_counter()
    report = actions.send_digests("weekly")
    elapsed = time.perf_counter() - started
    if report.delivery.unreachable or report.delivery.sent != report.written:
        raise SystemExit(f"the run did not send everything it wrote: {report}")
    return elapsed, report.delivery.sent


def plain_run(port: int, samples: list[bytes], count: int) -> float:
    """Plain smtplib on one connection, pre-built messages: a sender that only sends."""
    connection = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for n in range(count):
        connection.sendmail(
            "digests@clips.example.org", [f"reader{n}@example.org"], samples[n % len(samples)]
        )
    elapsed = time.perf_counter() - started
    connection.quit()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--clips", type=int, default=140, help="published during the week (default 20 a day)")
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--channels", type=int, default=15)
    parser.add_argument(
        "--plain", type=int, default=20_000, help="messages plain smtplib sends (at most as many)"
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="profile clipdesk's run with pyinstrument, its report to FILE (.html or .txt)",
    )
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="clipdesk-digest-bench-")
    os.environ["CLIPDESK_VAR_DIR"] = workdir.name
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("CLIPDESK_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "clipdesk.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    rng = random.Random(SEED)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"building: {args.subscribers:,} subscribers, {args.clips} clips in {workdir.name}", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    build_archive(rng, args)
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)

    keep = 5000
    sink = SinkProcess(stride=max(1, args.subscribers // keep), keep=keep)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.DEFAULT_FROM_EMAIL = "digests@clips.example.org"
    try:
        if args.profile:
            from pyinstrument import Profiler

            with Profiler(interval=0.0005) as profiler:
                elapsed, sent = clipdesk_run()
            report = (
                profiler.output_html()
                if args.profile.endswith(".html")
                else profiler.output_text(unicode=True)
            )
            Path(args.profile).write_text(report)
        else:
            elapsed, sent = clipdesk_run()
        count, size = sink.ask("stats")
        assert count == sent, (count, sent)
        samples = sink.ask("samples")
        plain_count = min(args.plain, sent)
        plain_elapsed = plain_run(sink.port, samples, plain_count)
    finally:
        sink.stop()

    ours, plain = sent / elapsed, plain_count / plain_elapsed
    plain_size = sum(len(samples[n % len(samples)]) for n in range(plain_count)) / plain_count
    print()
    print(f"{'sender':<52} {'messages':>9} {'seconds':>8} {'per second':>11} {'mean bytes':>11}")
    print(
        f"{'clipdesk digest run (match, render, outbox, send)':<52} {sent:>9,} {elapsed:>8.1f} {ours:>11.1f} {size / count:>11,.0f}"
    )
    print(
        f"{'plain smtplib, pre-built messages':<52} {plain_count:>9,} {plain_elapsed:>8.1f} {plain:>11.1f} {plain_size:>11,.0f}"
    )
    print()
    print(f"ratio: {ours / plain:.2f} of the plain rate (target 0.75)")
    # The sample's mean size is close to, not exactly, the run's: the same ratio in bytes per second.
    print(f"ratio in bytes per second: {ours * size / count / (plain * plain_size):.2f}")
    print(f"100,000 digests at this rate: {100_000 / ours / 60:.1f} minutes (target under 10)")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
