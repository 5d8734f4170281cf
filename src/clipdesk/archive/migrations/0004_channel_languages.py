# Live-safe: only nullable columns and columns with a database default are added, so rows written
# by the code of the release before keep working while this runs.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_clip_assignee_historicalclip_assignee"),
    ]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="languages",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The languages it usually broadcasts in, BCP 47 codes separated by commas (ar, en): speech in its recordings is identified among these only. Empty: any language.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="historicalchannel",
            name="languages",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="The languages it usually broadcasts in, BCP 47 codes separated by commas (ar, en): speech in its recordings is identified among these only. Empty: any language.",
                max_length=200,
            ),
        ),
    ]
