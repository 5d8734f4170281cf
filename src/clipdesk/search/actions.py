"""Named actions that write the search index. The index is derived data, never the only copy of anything.

Only trusted local processes call these: the worker (through `tasks`) and `clipdesk reindex`. Web
requests never write the index; they enqueue work for the worker after their transaction commits.
"""

import logging
import time

from clipdesk import caching

from .documents import indexable, load_documents
from .interfaces import Progress
from .services import get_backend

log = logging.getLogger(__name__)


def sync_clip(clip_id: int) -> str:
    """Make the index hold the clip as the database has it now: indexed, or gone if withdrawn or deleted.

    Idempotent, and reads the clip when it runs rather than when it was enqueued, so a late or repeated
    job can only bring the index up to date. Returns "indexed" or "removed".
    """
    started = time.monotonic()
    document = next(load_documents([clip_id]), None)
    loaded = time.monotonic()
    backend = get_backend()
    if document is None:
        backend.remove_clip(clip_id)
        outcome = "removed"
    else:
        backend.index_clip(document)
        outcome = "indexed"
    caching.invalidate("search")  # search pages cached before the index changed are stale now
    log.info(
        "search index: clip %s %s (read %.0f ms, write %.0f ms)",
        clip_id,
        outcome,
        (loaded - started) * 1000,
        (time.monotonic() - loaded) * 1000,
    )
    return outcome


def rebuild_index(progress: Progress | None = None) -> int:
    """Replace the whole index with every clip that is not withdrawn. Returns how many clips it holds."""
    count = get_backend().rebuild(load_documents(), progress)
    caching.invalidate("search")
    return count


def clips_to_index() -> int:
    return indexable().count()
