# Live-safe: a text column with a database default, so rows written by the release before (which
# knows no note) keep working while this runs.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transcripts", "0003_segment_machine_scores"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalsegment",
            name="note",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                help_text="The translator's note on this line, e.g. 'literally: ...' or 'could also be rendered as ...'.",
            ),
        ),
        migrations.AddField(
            model_name="segment",
            name="note",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                help_text="The translator's note on this line, e.g. 'literally: ...' or 'could also be rendered as ...'.",
            ),
        ),
    ]
