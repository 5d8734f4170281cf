from django.db import migrations

from clipdesk.archive.roles import sync_roles


def create_roles(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("transcripts", "0001_initial"),
        ("media", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
