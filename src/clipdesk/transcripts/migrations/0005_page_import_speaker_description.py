# Live-safe: a new table, a column with a database default, and a new choice (no schema change), so
# rows written by the code of the release before keep working while this runs.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0006_channel_name_country_identity"),
        ("transcripts", "0004_segment_note"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalspeaker",
            name="description",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Who the speaker was in this clip, as printed: 'Syrian analyst', 'Former minister of information'. Plain text; offered for the person's profile.",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="speaker",
            name="description",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text="Who the speaker was in this clip, as printed: 'Syrian analyst', 'Former minister of information'. Plain text; offered for the person's profile.",
                max_length=300,
            ),
        ),
        migrations.AlterField(
            model_name="historicalspeaker",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "—"),
                    ("host", "Host"),
                    ("anchor", "Anchor"),
                    ("interviewer", "Interviewer"),
                    ("reporter", "Reporter"),
                    ("group", "Group (not a person)"),
                ],
                default="",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="speaker",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "—"),
                    ("host", "Host"),
                    ("anchor", "Anchor"),
                    ("interviewer", "Interviewer"),
                    ("reporter", "Reporter"),
                    ("group", "Group (not a person)"),
                ],
                default="",
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="PageImport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        help_text="number:8891, url:https://..., or sha256:...", max_length=300, unique=True
                    ),
                ),
                ("source", models.CharField(help_text="The file it was read from.", max_length=500)),
                (
                    "address",
                    models.CharField(
                        blank=True, help_text="The page's address, where known.", max_length=2000
                    ),
                ),
                (
                    "content_hash",
                    models.CharField(help_text="SHA-256 of the page's text as read.", max_length=64),
                ),
                ("warnings", models.JSONField(default=list, help_text="Every warning, 'line N: message'.")),
                (
                    "review",
                    models.JSONField(default=list, help_text="What an editor must check, 'line N: message'."),
                ),
                ("needs_review", models.BooleanField(default=False)),
                ("imported_at", models.DateTimeField(auto_now=True)),
                (
                    "clip",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="page_imports",
                        to="archive.clip",
                    ),
                ),
            ],
            options={
                "ordering": ["-imported_at"],
                "indexes": [
                    models.Index(fields=["needs_review", "clip"], name="transcripts_needs_r_907301_idx")
                ],
            },
        ),
    ]
