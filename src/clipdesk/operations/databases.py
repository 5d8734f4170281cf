"""Consistent database snapshots and their restore, one implementation per database vendor.

Both take the snapshot while the site keeps running, and read what the backup needs to know (the
media files the rows name, the applied migrations) from that same snapshot, so the media copied
always matches the database saved:

- SQLite: the online backup API (`sqlite3.Connection.backup`) in one step. In WAL mode writers carry
  on meanwhile; the copy is converted to a single self-contained file and checked with quick_check.
- PostgreSQL: a repeatable-read transaction exports its snapshot, `pg_dump --snapshot` dumps exactly
  that state in its custom format, and the same transaction lists the media names and migrations.
"""

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .manifest import BackupError
from .schema import latest_applied


@dataclass(frozen=True)
class Snapshot:
    """What the saved database says: when it was taken, its migrations, the media names its rows hold."""

    taken_at: dt.datetime
    migrations: dict[str, str]
    media_names: list[str]


class DatabaseArchiver(Protocol):
    vendor: str
    file_name: str

    def dump(self, target: Path) -> Snapshot:
        """Save a consistent snapshot of the live database to `target`."""
        ...

    def restore(self, source: Path) -> None:
        """Replace the database's contents with the snapshot in `source`."""
        ...


def file_columns() -> list[tuple[str, str]]:
    """(table, column) of every file field kept in the default storage: MediaAsset's file and poster, and
    any file field another app adds later."""
    columns = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and field.storage is default_storage:
                columns.append((model._meta.db_table, field.column))
    return sorted(columns)


def _snapshot_contents(cursor, quote, tables: set[str]) -> tuple[dict[str, str], list[str]]:
    """Migrations and media names, read through a DB-API cursor on the snapshot itself."""
    migrations_table = MigrationRecorder.Migration._meta.db_table
    if migrations_table not in tables:
        raise BackupError("The database has no migration table: run `clipdesk migrate` before backing it up.")
    cursor.execute(f"SELECT app, name FROM {quote(migrations_table)}")
    migrations = latest_applied(cursor.fetchall())
    names: set[str] = set()
    for table, column in file_columns():
        if table in tables:
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")
            names.update(row[0] for row in cursor.fetchall())
    return migrations, sorted(names)


def holds_data(connection: BaseDatabaseWrapper) -> list[str]:
    """What the database holds that a restore would replace ("12 clips", "3 users"); empty when nothing.

    A freshly migrated database counts as empty: the rows migrations create (roles, permissions)
    come back with the backup.
    """
    tables = set(connection.introspection.table_names())
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        if not (model.__module__.startswith("clipdesk.") or model is user_model):
            continue
        # A history table holds rows only when its model's table does: naming it adds nothing.
        if model._meta.db_table in tables and not model.__name__.startswith("Historical"):
            count = model._default_manager.using(connection.alias).count()
            if count:
                found.append(f"{count} {model._meta.verbose_name_plural}")
    return found


class SqliteArchiver:
    vendor = "sqlite"
    file_name = "database.sqlite3"

    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection

    def dump(self, target: Path) -> Snapshot:
        self.connection.ensure_connection()
        live = self.connection.connection
        taken_at = timezone.now()
        with closing(sqlite3.connect(target)) as copy:
            live.backup(copy)  # pages=-1: one step, so the copy is one consistent state
            # The copy carries the live database's WAL flag; make it one self-contained file.
            copy.execute("PRAGMA journal_mode=DELETE")
            result = copy.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"The database copy fails SQLite's quick_check: {result}")
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            migrations, names = _snapshot_contents(copy.cursor(), self.connection.ops.quote_name, tables)
        return Snapshot(taken_at, migrations, names)

    def restore(self, source: Path) -> None:
        # Through the backup API rather than a file copy: SQLite's own locking guards the live file, and
        # no stale -wal or -shm file from the old database can be replayed over the restored one.
        self.connection.close()
        self.connection.ensure_connection()
        uri = f"{Path(source).resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as saved:
            saved.backup(self.connection.connection)
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
        self.connection.close()


class PostgresArchiver:
    vendor = "postgresql"
    file_name = "database.pgdump"

    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection

    def _env(self) -> dict[str, str]:
        """libpq's environment for pg_dump and pg_restore: the password never appears on a command line."""
        from django.db.backends.postgresql.client import DatabaseClient

        settings_dict = self.connection.settings_dict
        _, client_env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
        env = {**os.environ, **(client_env or {})}
        for key, variable in (
            ("HOST", "PGHOST"),
            ("PORT", "PGPORT"),
            ("USER", "PGUSER"),
            ("NAME", "PGDATABASE"),
        ):
            if settings_dict.get(key):
                env[variable] = str(settings_dict[key])
        return env

    def _run(self, tool: str, *args: str) -> None:
        path = shutil.which(tool)
        if path is None:
            raise BackupError(
                f"{tool} is not on PATH. Install PostgreSQL's client tools of the server's major version "
                f"(on Debian: apt-get install postgresql-client-15) and try again."
            )
        done = subprocess.run(
            [path, "--no-password", *args], env=self._env(), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BackupError(f"{tool} failed (exit status {done.returncode}): {done.stderr.strip()}")

    def dump(self, target: Path) -> Snapshot:
        import psycopg

        params = self.connection.get_connection_params()
        params.pop("cursor_factory", None)
        with closing(psycopg.connect(**params)) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), now()")
                snapshot_id, taken_at = cursor.fetchone()
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                tables = {row[0] for row in cursor.fetchall()}
                migrations, names = _snapshot_contents(cursor, self.connection.ops.quote_name, tables)
            # The exporting transaction stays open until pg_dump has attached to its snapshot and finished.
            self._run("pg_dump", "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}")
            conn.rollback()
        return Snapshot(taken_at, migrations, names)

    def restore(self, source: Path) -> None:
        self.connection.close()  # our own session must not hold locks on the tables being replaced
        name = self.connection.settings_dict["NAME"]
        self._run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={name}",
            str(source),
        )


ARCHIVERS = {"sqlite": SqliteArchiver, "postgresql": PostgresArchiver}


def archiver_for(connection: BaseDatabaseWrapper) -> DatabaseArchiver:
    try:
        archiver = ARCHIVERS[connection.vendor]
    except KeyError:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL; this database is {connection.vendor}."
        ) from None
    return archiver(connection)
