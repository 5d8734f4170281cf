# Live-safe: only nullable columns and columns with a database default are added, so rows written
# by the code of the release before keep working while this runs.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ingestjob",
            name="language_found",
            field=models.CharField(
                blank=True, db_default="", default="", help_text="The language spoken longest.", max_length=35
            ),
        ),
        migrations.AddField(
            model_name="ingestjob",
            name="language_probability",
            field=models.FloatField(
                blank=True, help_text="The model's probability of that language, over its lines.", null=True
            ),
        ),
        migrations.AddField(
            model_name="ingestjob",
            name="language_warning",
            field=models.TextField(
                blank=True, db_default="", default="", help_text="Why the identified language is doubtful."
            ),
        ),
        migrations.AddField(
            model_name="ingestjob",
            name="languages_found",
            field=models.JSONField(
                blank=True, help_text="Seconds of speech per language (BCP 47 code).", null=True
            ),
        ),
    ]
