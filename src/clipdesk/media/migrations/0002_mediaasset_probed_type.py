from django.db import migrations, models


class Migration(migrations.Migration):
    """Adds the probed type, empty for every existing row: those are served as downloads until 0003
    has probed their files. PostgreSQL adds a column with a constant default without rewriting the table."""

    dependencies = [("media", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="mediaasset",
            name="probed_type",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                help_text="The type the probe found in the file when it was attached; empty when never "
                "probed. Set only by the checked paths (attach_media); the file is served inline only as this.",
                max_length=100,
            ),
        ),
    ]
