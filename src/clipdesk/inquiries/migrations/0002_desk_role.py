from django.db import migrations

from clipdesk.archive.roles import sync_roles


def desk_role(apps, schema_editor):
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0001_initial"), ("archive", "0002_roles")]

    operations = [migrations.RunPython(desk_role, migrations.RunPython.noop)]
