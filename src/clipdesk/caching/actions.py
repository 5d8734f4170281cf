"""Invalidation: after a change commits, its tags get new versions and the cache in front purges them."""

import logging
import time
from collections.abc import Iterable

from django.db import transaction

from . import purgers, tags

log = logging.getLogger(__name__)


def invalidate(*names: str | Iterable[str]) -> None:
    """Make every page showing one of these tags stale, once the current transaction commits.

    Outside a transaction it happens at once. A failure is logged, never raised: the change itself has
    committed by then. Both steps are safe to repeat.
    """
    wanted: set[str] = set()
    for name in names:
        wanted.update([name] if isinstance(name, str) else name)
    if wanted:
        transaction.on_commit(lambda: apply(wanted), robust=True)


def apply(names: Iterable[str]) -> None:
    names = sorted(set(names))
    tags.bump(names)
    purger = purgers.configured()
    if purger is None:
        return
    started = time.perf_counter()
    try:
        purger.purge(names)
    except purgers.PurgeError as exc:
        log.error("purge of %s failed: %s", " ".join(names), exc)
    else:
        log.info("purged %s in %.1f ms", " ".join(names), (time.perf_counter() - started) * 1000)


def introduce(*names: str) -> None:
    """Give the tags of new things their first version at once: no page shows them yet, so nothing is
    purged and nothing waits for the commit (a version for something rolled back is harmless)."""
    tags.bump(names)
