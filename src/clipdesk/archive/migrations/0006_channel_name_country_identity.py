# A channel is its name in its country. Live-safe, in the order add then relax: the (name, country)
# constraint is added first (every existing row satisfies it, since names were unique), then the
# unique on the name alone is dropped, so at no moment may two rows share a name and a country.
# On PostgreSQL the unique index is built CONCURRENTLY (no write lock on a large table) and then
# attached as the constraint; the migration is therefore not atomic.

from django.db import migrations, models

CONSTRAINT = models.UniqueConstraint(fields=("name", "country"), name="unique_channel_name_country")


def add_constraint(apps, schema_editor):
    channel = apps.get_model("archive", "Channel")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_constraint(channel, CONSTRAINT)
        return
    table = schema_editor.quote_name(channel._meta.db_table)
    name = schema_editor.quote_name(CONSTRAINT.name)
    schema_editor.execute(f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} (name, country)")
    schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}")


def remove_constraint(apps, schema_editor):
    schema_editor.remove_constraint(apps.get_model("archive", "Channel"), CONSTRAINT)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("archive", "0005_clip_aired_until"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddConstraint(model_name="channel", constraint=CONSTRAINT)],
            database_operations=[migrations.RunPython(add_constraint, remove_constraint)],
        ),
        migrations.AlterField(
            model_name="channel",
            name="name",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name="historicalchannel",
            name="name",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterModelOptions(
            name="channel",
            options={"ordering": ["name", "country"]},
        ),
    ]
