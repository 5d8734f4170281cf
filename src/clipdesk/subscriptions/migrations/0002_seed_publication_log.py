"""Clips already published when subscriptions arrive go into the publication log, in the order they
were published, so that the first digest run does not take the whole archive for news."""

from django.db import migrations


def seed(apps, schema_editor):
    Sequence = apps.get_model("archive", "Sequence")
    Clip = apps.get_model("archive", "Clip")
    PublicationEvent = apps.get_model("subscriptions", "PublicationEvent")
    counter, _ = Sequence.objects.get_or_create(name="publication")
    value = counter.last_value
    events = []
    for clip_id in (
        Clip.objects.filter(status="published").order_by("published_at", "pk").values_list("pk", flat=True)
    ):
        value += 1
        events.append(PublicationEvent(sequence=value, clip_id=clip_id, kind="published"))
    PublicationEvent.objects.bulk_create(events, batch_size=1000)
    counter.last_value = value
    counter.save(update_fields=["last_value"])


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_roles"),
        ("subscriptions", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
