"""clipdesk repair: the repairers the apps register, each saying what it repaired."""

import pytest
from django.core.cache import cache
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection

from clipdesk.archive.models import Clip
from clipdesk.operations.repair import RepairResult, repairer_paths
from factories.archive import ClipFactory

pytestmark = pytest.mark.django_db


def repair(capsys, *args) -> str:
    call_command("repair", *args)
    return capsys.readouterr().out


def test_apps_register_their_repairers(capsys):
    assert {"clipdesk.operations.repair.cache_table", "clipdesk.operations.repair.search_index"} <= set(
        repairer_paths()
    )
    out = repair(capsys, "--list")
    assert "cache-table  (clipdesk.operations.repair.cache_table)" in out
    assert "search-index  (clipdesk.operations.repair.search_index)" in out


def test_the_setting_replaces_the_apps_list(settings, capsys):
    settings.CLIPDESK_REPAIRERS = ["clipdesk.operations.repair.cache_table"]
    assert repair(capsys, "--list").splitlines() == ["cache-table  (clipdesk.operations.repair.cache_table)"]


def test_a_missing_cache_table_is_created_and_a_dry_run_only_says_so(capsys):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE clipdesk_cache")  # rolled back with the test's transaction
    out = repair(capsys, "--only", "cache-table", "--dry-run")
    assert out == "cache-table: would create cache table clipdesk_cache\n"
    assert "clipdesk_cache" not in connection.introspection.table_names()
    out = repair(capsys, "--only", "cache-table")
    assert out == "cache-table: created cache table clipdesk_cache\n"
    cache.set("repaired", 1)
    assert cache.get("repaired") == 1
    present = (
        "cache-table: cache table clipdesk_cache, clipdesk_page_cache is present\n"  # and the page cache's
    )
    assert repair(capsys, "--only", "cache-table") == present


def test_the_search_index_is_rebuilt_by_the_search_apps_command(capsys):
    ClipFactory(published=True)
    out = repair(capsys, "--only", "search-index")
    if get_commands().get("reindex") == "clipdesk.search":
        assert out.startswith("search-index: rebuilt the search index: Indexed 1 clip")
    else:
        assert out == "search-index: the search app has no `reindex` command; no index rebuilt\n"
    assert Clip.objects.count() == 1


def test_an_unknown_name_is_refused_with_the_known_ones():
    with pytest.raises(CommandError, match="No repairer called nothing; the repairers are: cache-table"):
        call_command("repair", "--only", "nothing")


def broken(*, dry_run: bool) -> RepairResult:
    raise RuntimeError("the jobs table is locked")


def counted(*, dry_run: bool) -> RepairResult:
    return RepairResult("re-enqueued 3 unfinished jobs", 3)


def test_a_failing_repairer_does_not_stop_the_others(settings, capsys):
    here = __name__  # this module, as the test runner imported it
    settings.CLIPDESK_REPAIRERS = [f"{here}.broken", f"{here}.counted"]
    with pytest.raises(CommandError, match="1 of 2 repairers failed"):
        call_command("repair")
    captured = capsys.readouterr()
    assert "broken: failed: RuntimeError: the jobs table is locked" in captured.err
    assert captured.out == "counted: re-enqueued 3 unfinished jobs\n"
