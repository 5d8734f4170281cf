from django.db import migrations, models


class Migration(migrations.Migration):
    """Adds the waveform peaks, empty (null) for every row: each file's are computed the first time the
    editor asks for them, so nothing is backfilled and no constraint follows."""

    dependencies = [("media", "0003_backfill_probed_type")]

    operations = [
        migrations.AddField(
            model_name="mediaasset",
            name="peaks",
            field=models.JSONField(
                blank=True,
                editable=False,
                help_text="The waveform strip's peaks (media.waveform), computed the first time the editor asks.",
                null=True,
            ),
        ),
    ]
