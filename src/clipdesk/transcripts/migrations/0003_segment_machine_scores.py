# Live-safe: only nullable columns and columns with a database default are added, so rows written
# by the code of the release before keep working while this runs.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transcripts", "0002_historicalrevision_revision_revisionedit_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalsegment",
            name="uncertain",
            field=models.BooleanField(
                db_default=False, default=False, help_text="The machine text failed a check: review it."
            ),
        ),
        migrations.AddField(
            model_name="historicalsegment",
            name="uncertain_reason",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Why, comma-separated: repetition, compression, low-logprob, no-speech, translation-...",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="segment",
            name="avg_logprob",
            field=models.FloatField(blank=True, help_text="Decoder: average log-probability.", null=True),
        ),
        migrations.AddField(
            model_name="segment",
            name="compression_ratio",
            field=models.FloatField(blank=True, help_text="Decoder: gzip compression ratio.", null=True),
        ),
        migrations.AddField(
            model_name="segment",
            name="language_probability",
            field=models.FloatField(
                blank=True, help_text="The model's probability of the original language.", null=True
            ),
        ),
        migrations.AddField(
            model_name="segment",
            name="no_speech_prob",
            field=models.FloatField(blank=True, help_text="Decoder: probability of no speech.", null=True),
        ),
        migrations.AddField(
            model_name="segment",
            name="uncertain",
            field=models.BooleanField(
                db_default=False, default=False, help_text="The machine text failed a check: review it."
            ),
        ),
        migrations.AddField(
            model_name="segment",
            name="uncertain_reason",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Why, comma-separated: repetition, compression, low-logprob, no-speech, translation-...",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="segment",
            name="words",
            field=models.JSONField(
                blank=True, help_text="[[start_ms, end_ms, text, probability], ...]", null=True
            ),
        ),
    ]
