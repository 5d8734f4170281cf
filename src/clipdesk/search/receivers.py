"""Keep the index following the archive. Receivers only enqueue; the worker writes the index.

- Published clips change only through the archive's actions, which send `clip_published`,
  `clip_changed` (a correction) and `clip_withdrawn` after commit, with the clip's id.
- Drafts and clips in review change line by line as staff edit them; saves of their clip, lines and
  speakers enqueue a job when the transaction commits, once per clip however many rows changed, so
  that staff searching drafts find what was just written.

Each job reads the clip as it is when it runs, so a late or repeated job can only bring the index
up to date.
"""

from functools import partial
from weakref import WeakKeyDictionary

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from clipdesk.archive import signals
from clipdesk.archive.models import Channel, Clip, Person, PersonAlias, Topic
from clipdesk.transcripts.models import Segment, Speaker

UNPUBLISHED = (Clip.Status.DRAFT, Clip.Status.REVIEW)


def enqueue_sync(sender=None, clip_id: int = 0, **kwargs) -> None:
    from .tasks import sync_clip_index

    sync_clip_index(clip_id)


class _Commit:
    """The index jobs of one commit: each clip's job once, however many of its rows changed.

    Every change registers its own commit callback, and the callbacks that run together (those of one
    commit, in the order Django runs them) enqueue each clip once. Deciding when the callbacks run,
    rather than when they are registered, needs nothing from Django but `on_commit`: a callback that a
    rollback discarded never runs, so it can never stand in for a later change's job.
    """

    def __init__(self) -> None:
        self.running = False
        self.enqueued: set[int] = set()

    def enqueue(self, clip_id: int) -> None:
        self.running = True
        if clip_id not in self.enqueued:
            self.enqueued.add(clip_id)
            enqueue_sync(clip_id=clip_id)


# The commit each database connection's changes wait for; a new one once its callbacks have begun.
_commits: "WeakKeyDictionary[object, _Commit]" = WeakKeyDictionary()


def _after_commit(clip_id: int | None) -> None:
    if not clip_id:
        return
    connection = transaction.get_connection()
    commit = _commits.get(connection)
    if commit is None or commit.running:
        commit = _commits[connection] = _Commit()
    transaction.on_commit(partial(commit.enqueue, clip_id), robust=True)


def _unpublished(clip_id: int | None) -> bool:
    return bool(clip_id) and Clip.objects.filter(pk=clip_id, status__in=UNPUBLISHED).exists()


def clip_saved(sender, instance: Clip, **kwargs) -> None:
    if instance.status in UNPUBLISHED:
        _after_commit(instance.pk)


def clip_deleted(sender, instance: Clip, **kwargs) -> None:
    _after_commit(instance.pk)  # the job finds it gone and takes it out


def line_changed(sender, instance, **kwargs) -> None:
    if _unpublished(instance.clip_id):
        _after_commit(instance.clip_id)


def clip_relations_changed(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, Clip) and instance.status in UNPUBLISHED:
        _after_commit(instance.pk)


def connect() -> None:
    from . import names

    for name in ("clip_published", "clip_changed", "clip_withdrawn"):
        getattr(signals, name).connect(enqueue_sync, dispatch_uid=f"clipdesk-search-{name}")
    post_save.connect(clip_saved, sender=Clip, dispatch_uid="clipdesk-search-clip-saved")
    post_delete.connect(clip_deleted, sender=Clip, dispatch_uid="clipdesk-search-clip-deleted")
    for model in (Segment, Speaker):
        uid = f"clipdesk-search-{model.__name__}"
        post_save.connect(line_changed, sender=model, dispatch_uid=f"{uid}-saved")
        post_delete.connect(line_changed, sender=model, dispatch_uid=f"{uid}-deleted")
    for through in (Clip.topics.through, Clip.people.through):
        m2m_changed.connect(
            clip_relations_changed, sender=through, dispatch_uid=f"clipdesk-search-{through.__name__}"
        )
    # Names and labels kept in memory (see `names`) are forgotten when they change here.
    for model in (Person, PersonAlias, Channel, Topic):
        uid = f"clipdesk-search-names-{model.__name__}"
        post_save.connect(names.cache.forget, sender=model, weak=False, dispatch_uid=f"{uid}-saved")
        post_delete.connect(names.cache.forget, sender=model, weak=False, dispatch_uid=f"{uid}-deleted")
