"""`clipdesk repair`: re-enqueue unfinished work and rebuild derived data, through pluggable repairers.

A repairer is a callable ``repairer(*, dry_run: bool) -> RepairResult`` named by its dotted path.
The list comes from ``settings.CLIPDESK_REPAIRERS`` when that is set; otherwise every installed app
may contribute through a ``repairers`` attribute on its AppConfig (a sequence of dotted paths), in
INSTALLED_APPS order, so an app plugs in without touching settings::

    class IngestConfig(AppConfig):
        repairers = ("clipdesk.ingest.repair.requeue_unfinished_jobs",)

Repairers must be idempotent and safe while the site and the workers run: `clipdesk repair` is what an
operator runs after the queue lost its contents (a Redis restart without persistence) or after a
restore, possibly more than once. A job repairer re-enqueues by id the jobs its table says are
unfinished, and relies on the worker re-reading the row and returning early when the job is done.
A repairer reports honestly what it did, or why it did nothing; with `dry_run` it changes nothing.
"""

from io import StringIO

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.management import call_command, get_commands
from django.db import connection
from django.utils.module_loading import import_string

from clipdesk.repairing import Repairer, RepairResult

__all__ = ["RepairResult", "Repairer", "load_repairer", "repairer_name", "repairer_paths"]


def repairer_paths() -> list[str]:
    if settings.CLIPDESK_REPAIRERS is not None:
        return list(settings.CLIPDESK_REPAIRERS)
    return [path for config in apps.get_app_configs() for path in getattr(config, "repairers", ())]


def repairer_name(path: str) -> str:
    """The name `--only` takes: the callable's name with hyphens ("cache-table")."""
    return path.rsplit(".", 1)[-1].replace("_", "-")


def load_repairer(path: str) -> Repairer:
    """The repairer at `path`; ImportError when it cannot be imported, TypeError when it is not callable."""
    repairer = import_string(path)
    if not callable(repairer):
        raise TypeError(f"{path} is not callable")
    return repairer


def cache_table(*, dry_run: bool) -> RepairResult:
    """The database cache's table exists (a restore into a fresh database, or a skipped migrate, lacks it)."""
    tables = sorted({cache._table for cache in caches.all() if isinstance(cache, BaseDatabaseCache)})
    if not tables:
        return RepairResult("the cache is not a database table; nothing to do")
    missing = [t for t in tables if t not in connection.introspection.table_names()]
    if not missing:
        return RepairResult(f"cache table {', '.join(tables)} is present")
    if dry_run:
        return RepairResult(f"would create cache table {', '.join(missing)}", len(missing))
    call_command("createcachetable", verbosity=0)
    return RepairResult(f"created cache table {', '.join(missing)}", len(missing))


def search_index(*, dry_run: bool) -> RepairResult:
    """Rebuild the search index with the search app's `reindex` command, when it has one."""
    if get_commands().get("reindex") != "clipdesk.search":
        return RepairResult("the search app has no `reindex` command; no index rebuilt")
    if dry_run:
        return RepairResult("would rebuild the search index (clipdesk reindex)", 1)
    out = StringIO()
    call_command("reindex", stdout=out)
    said = out.getvalue().strip().splitlines()
    return RepairResult("rebuilt the search index" + (f": {said[-1]}" if said else ""), 1)
