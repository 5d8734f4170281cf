"""The index follows the archive: publications, corrections, withdrawals, drafts being edited; and
`reindex` rebuilds exactly what incremental indexing built."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from clipdesk.archive import actions as archive_actions
from clipdesk.archive import signals
from clipdesk.archive.models import Clip
from clipdesk.search import actions, receivers, tasks
from clipdesk.search.interfaces import Filters
from clipdesk.search.services import get_backend, search
from clipdesk.transcripts import actions as transcript_actions

from .conftest import make_channel

pytestmark = pytest.mark.django_db


def ids(query, **kwargs) -> list[int]:
    return [r.clip.pk for r in search(query, **kwargs).clips]


def test_publishing_enqueues_a_job_with_the_clip_id_and_does_not_write(make_clip, committed, monkeypatch):
    clip = make_clip("Peace talks", [("Host", "Words about peace.", "")], publish=False)
    enqueued = []
    monkeypatch.setattr(tasks, "sync_clip_index", enqueued.append)
    with committed():
        archive_actions.publish_clip(clip, user=None)
    assert enqueued == [clip.pk]
    assert ids("peace") == []  # the web process only enqueued; the worker had not run it
    monkeypatch.undo()
    tasks.sync_clip_index(clip.pk)  # the worker's turn (Huey runs it at once in tests)
    assert ids("peace") == [clip.pk]


def test_nothing_is_enqueued_for_a_transaction_that_rolls_back(make_clip, committed, monkeypatch):
    clip = make_clip("Draft", [("Host", "Words.", "")], publish=False)
    enqueued = []
    monkeypatch.setattr(tasks, "sync_clip_index", enqueued.append)
    with committed():
        try:
            with transaction.atomic():
                segment = clip.segments.get()
                segment.english_text = "Changed"
                segment.save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert enqueued == []


def test_one_job_per_clip_however_many_lines_change(make_clip, committed, monkeypatch):
    clip = make_clip("Draft", [("Host", f"Line {i}.", "") for i in range(5)], publish=False)
    enqueued = []
    monkeypatch.setattr(tasks, "sync_clip_index", enqueued.append)
    with committed(), transaction.atomic():
        for segment in clip.segments.all():
            segment.english_text += " Edited."
            segment.save()
    assert enqueued == [clip.pk]


def test_a_change_rolled_back_does_not_stand_in_for_the_next(make_clip, committed, monkeypatch):
    clip = make_clip("Draft", [("Host", "Words.", "")], publish=False)
    enqueued = []
    monkeypatch.setattr(tasks, "sync_clip_index", enqueued.append)
    segment = clip.segments.get()
    with committed():
        try:
            with transaction.atomic():
                segment.english_text = "Changed"
                segment.save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        segment.english_text = "Changed again"
        segment.save()
    assert enqueued == [clip.pk]


def test_each_commit_enqueues_its_own_jobs(make_clip, committed, monkeypatch):
    first = make_clip("First draft", [("Host", "One.", ""), ("Host", "Two.", "")], publish=False)
    second = make_clip("Second draft", [("Host", "Three.", "")], publish=False)
    enqueued = []
    monkeypatch.setattr(tasks, "sync_clip_index", enqueued.append)
    for _ in range(2):
        with committed(), transaction.atomic():
            for segment in [*first.segments.all(), *second.segments.all(), *first.segments.all()]:
                segment.save()
    assert enqueued == [first.pk, second.pk, first.pk, second.pk]


def test_index_jobs_are_gathered_with_public_apis_only():
    """Django's list of commit callbacks is private and has changed shape between versions."""
    source = Path(receivers.__file__).read_text()
    assert "run_on_commit" not in source


def test_corrections_reach_the_index_when_published(make_clip, committed, roles):
    clip = make_clip("News from Beirut", [("Host", "The talks failed.", "")])
    segment = clip.segments.get()
    with committed():
        transcript_actions.edit_segment(
            segment.pk, user=roles["editor"], version=segment.version, english_text="The negotiations failed."
        )
    # A pending correction changes nothing readers see, in the page or in search.
    assert ids("talks") == [clip.pk] and ids("negotiations") == []
    revision = transcript_actions.pending_revision(clip, roles["publisher"])
    with committed():
        transcript_actions.publish_correction(revision, user=roles["publisher"], note="Better translation.")
    assert ids("talks") == [] and ids("negotiations") == [clip.pk]


def test_title_corrections_reach_the_index(make_clip, committed, roles):
    clip = make_clip("Talks in Beirut", [("Host", "Hello.", "")])
    with committed():
        transcript_actions.propose_clip_text(clip, user=roles["editor"], title="Negotiations in Beirut")
        revision = transcript_actions.pending_revision(clip, roles["publisher"])
        transcript_actions.publish_correction(revision, user=roles["publisher"], note="Title.")
    assert ids("negotiations") == [clip.pk] and ids("talks") == []


def test_withdrawal_takes_a_clip_out(make_clip, committed):
    clip = make_clip("Talks", [("Host", "Words.", "")])
    with committed():
        archive_actions.withdraw_clip(clip, user=None, reason="Wrong speaker.")
    assert get_backend().indexed([clip.pk]) == set()
    assert ids("talks", include_unpublished=True) == []


def test_deleting_a_clip_takes_it_out(make_clip, committed):
    clip = make_clip("Talks", [("Host", "Words.", "")])
    with committed():
        Clip.objects.filter(pk=clip.pk).delete()
    assert get_backend().indexed([clip.pk]) == set()


def test_drafts_follow_their_edits(make_clip, committed, roles):
    clip = make_clip("Draft", [("Host", "The talks failed.", "")], publish=False)
    segment = clip.segments.get()
    with committed():
        transcript_actions.edit_segment(
            segment.pk, user=roles["translator"], version=segment.version, english_text="The ceasefire held."
        )
    assert ids("ceasefire", include_unpublished=True) == [clip.pk]
    assert ids("talks", include_unpublished=True) == []
    assert ids("ceasefire") == []  # still a draft


def test_a_signal_for_a_changed_clip_reindexes_it(make_clip, committed):
    clip = make_clip("Talks", [("Host", "Words.", "")])
    Clip.objects.filter(pk=clip.pk).update(title="Negotiations")  # as a correction would, then the signal
    signals.clip_changed.send(sender=Clip, clip_id=clip.pk)
    assert ids("negotiations") == [clip.pk]


def test_sync_is_idempotent(make_clip):
    clip = make_clip("Talks", [("Host", "Words about talks.", ""), ("Guest", "More talks.", "")])
    for _ in range(3):
        assert actions.sync_clip(clip.pk) == "indexed"
    [result] = search("talks").clips
    assert len(result.lines) == 2
    assert search("talks").total == 1


def snapshot(queries, **kwargs):
    """Everything a reader sees for these queries: clips, their lines, counts and facets."""
    seen = {}
    for query in queries:
        for sort in ("relevance", "date"):
            results = search(query, sort=sort, **kwargs)
            clips = [r.clip.pk for r in results.clips]
            seen[(query, sort)] = (
                clips if sort == "date" else sorted(clips),  # equal scores may tie in any order
                {r.clip.pk: sorted(str(line.english_html) for line in r.lines) for r in results.clips},
                results.total,
                {name: sorted((v.value, v.count) for v in values) for name, values in results.facets.items()},
            )
    return seen


def test_reindex_gives_the_same_results_as_incremental_indexing(make_clip, committed, roles):
    manar, press = make_channel("Al-Manar TV"), make_channel("Press TV", "Iran", "fa")
    clips = [
        make_clip(f"Clip {i} about {topic}", [("Host", f"We discuss {topic} and peace.", "سلام"),
                                               ("Guest", f"The {topic} talks continue.", "")],
                  channel=manar if i % 2 else press, topics=[topic], language="ar" if i % 2 else "fa")
        for i, topic in enumerate(["sanctions", "drones", "elections", "sanctions", "oil"])
    ]  # fmt: skip
    with committed():
        archive_actions.withdraw_clip(clips[1], user=None, reason="Duplicate.")
    segment = clips[2].segments.first()
    with committed():
        transcript_actions.edit_segment(segment.pk, user=roles["editor"], version=segment.version,
                                        english_text="We discuss elections and war.")  # fmt: skip
        revision = transcript_actions.pending_revision(clips[2], roles["publisher"])
        transcript_actions.publish_correction(revision, user=roles["publisher"], note="Mistranslation.")
    make_clip("A draft about sanctions", [("Host", "Sanctions again.", "")], publish=False)
    queries = [
        "peace",
        "sanctions",
        "war OR oil",
        '"talks continue"',
        "talk* -oil",
        "سلام",
        "lang:fa peace",
        "",
    ]
    filters = Filters(channel=("al-manar-tv",))

    def everything():
        return (
            snapshot(queries),
            snapshot(queries, user=roles["editor"], include_unpublished=True),
            snapshot(queries, filters=filters),
        )

    before = everything()
    assert before[0][("peace", "date")][0]  # the comparison is about something
    assert before[0] != before[1]  # the draft is in the staff search only

    call_command("reindex", "--no-progress")

    assert everything() == before
