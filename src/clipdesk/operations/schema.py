"""Migration state: what a database has applied, and what this code still has to apply to it."""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader


def latest_applied(rows) -> dict[str, str]:
    """The latest applied migration per app from (app, name) pairs, as django_migrations holds them.

    Migration names start with a zero-padded number, so the greatest name is the latest.
    """
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def pending_migrations(connection: BaseDatabaseWrapper) -> list[str]:
    """ "app.name" of every migration in the code that the database has not applied, in order."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan if not backwards]


def unknown_migrations(migrations: dict[str, str]) -> list[str]:
    """Migrations named in `migrations` that this code does not have: they come from a newer clipdesk.

    Only apps this code has migrations for are compared; an app that was removed is no harm here.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    apps_with_migrations = {app for app, _ in known}
    return sorted(
        f"{app}.{name}"
        for app, name in migrations.items()
        if app in apps_with_migrations and (app, name) not in known
    )
