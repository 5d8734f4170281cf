from django.db import migrations

from clipdesk.archive.roles import sync_roles


def erase_role(apps, schema_editor):
    """The desk may erase a person's data on request (the admin role holds every permission)."""
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_erasure"),
        ("inquiries", "0002_desk_role"),
        ("archive", "0002_roles"),
    ]

    operations = [migrations.RunPython(erase_role, migrations.RunPython.noop)]
