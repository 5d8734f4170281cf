"""A column for Arabic stems (see clipdesk.search.arabic), and on PostgreSQL its GIN index.

Live-safe: the column is added empty and nullable, and the index is built concurrently; rows written
before it hold no Arabic stems until `clipdesk reindex` rebuilds the table, which is derived data.
Until then Arabic words are found as before: unstemmed, in the `plain` column.
"""

import django.contrib.postgres.search
from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_doc_arabic_gin ON search_searchdocument USING gin (arabic)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS search_doc_arabic_gin")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("search", "0002_postgres_text_search")]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="arabic",
            field=django.contrib.postgres.search.SearchVectorField(null=True),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
