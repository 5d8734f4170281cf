# Live-safe: an index only. On PostgreSQL it is built CONCURRENTLY (no lock that stops writes to the
# speakers while it is built), so the migration is not atomic; SQLite builds it plainly.

from django.db import migrations, models

INDEX = models.Index(fields=["clip", "person"], name="speaker_clip_person_idx")


def add_index(apps, schema_editor):
    speaker = apps.get_model("transcripts", "Speaker")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(speaker, INDEX, concurrently=True)
    else:
        schema_editor.add_index(speaker, INDEX)


def remove_index(apps, schema_editor):
    speaker = apps.get_model("transcripts", "Speaker")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(speaker, INDEX, concurrently=True)
    else:
        schema_editor.remove_index(speaker, INDEX)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("transcripts", "0006_edit_steps_and_split_check"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="speaker", index=INDEX)],
            database_operations=[migrations.RunPython(add_index, remove_index)],
        ),
    ]
