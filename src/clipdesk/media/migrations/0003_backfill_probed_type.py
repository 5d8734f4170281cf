"""Probes the files of the rows attached before the probed type was recorded.

A row's declared `mime_type` is not trusted: the admin could once set it to anything, beside any file.
A file that probes as playable media gets its type; one that does not, or that is missing, keeps the
empty type and is served as a download. Rows are read in batches and each is updated on its own, so
the migration holds no long lock and can run again (it only looks at rows still empty).
"""

from django.db import migrations

from clipdesk.media.probe import ProbeError, probe_stored

# The types served as playable when this migration was written, frozen (media.probe.PLAYABLE_TYPES then).
PLAYABLE_TYPES = frozenset(
    {
        "audio/flac",
        "audio/mp2t",
        "audio/mp4",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "audio/webm",
        "audio/x-msvideo",
        "video/mp2t",
        "video/mp4",
        "video/webm",
        "video/x-msvideo",
    }
)


def backfill(apps, schema_editor):
    MediaAsset = apps.get_model("media", "MediaAsset")
    for asset in MediaAsset.objects.filter(probed_type="").exclude(file="").iterator(chunk_size=200):
        try:
            found = probe_stored(asset.file.storage, asset.file.name).mime_type
        except (ProbeError, OSError):
            continue
        if found in PLAYABLE_TYPES:
            MediaAsset.objects.filter(pk=asset.pk).update(probed_type=found)


class Migration(migrations.Migration):
    dependencies = [("media", "0002_mediaasset_probed_type")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
