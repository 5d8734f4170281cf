# Live-safe: a nullable column only, so rows written by the code of the release before keep working.

from django.db import migrations, models

HELP = "Last day of a clip aired over several days ('March 2-3, 2012'); empty for one day."


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_channel_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="clip",
            name="aired_until",
            field=models.DateField(blank=True, help_text=HELP, null=True),
        ),
        migrations.AddField(
            model_name="historicalclip",
            name="aired_until",
            field=models.DateField(blank=True, help_text=HELP, null=True),
        ),
    ]
