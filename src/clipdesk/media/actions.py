"""Named actions on media assets."""

import hashlib
from pathlib import Path

from django.core.files import File
from django.db import transaction

from clipdesk.archive.actions import require
from clipdesk.archive.models import Clip

from . import waveform
from .models import MediaAsset
from .probe import PLAYABLE_TYPES, SNIFF_BYTES, ProbeError, probe, sniff_image


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def attach_media(
    clip: Clip, path: str | Path, *, user, source: str = "", poster: str | Path | None = None
) -> MediaAsset:
    """Probe a media file, record its SHA-256, and store it as the clip's media.

    The file is checked by its content (ProbeError when it is not usable media), and so is the poster
    (a JPEG or PNG), before anything is stored; the database row and the stored files are written
    together or not at all. The probed type is recorded: the file is served as that and nothing else.
    """
    require(user, "media.add_mediaasset")
    path = Path(path)
    info = probe(path)
    if poster:
        with open(poster, "rb") as handle:
            if sniff_image(handle.read(SNIFF_BYTES)) is None:
                raise ProbeError(f"The poster {Path(poster).name} is not a JPEG or PNG picture.")
    digest = sha256_of(path)
    asset = MediaAsset(
        clip=clip,
        sha256=digest,
        mime_type=info.mime_type,
        probed_type=info.mime_type if info.mime_type in PLAYABLE_TYPES else "",
        duration_ms=info.duration_ms,
        uploaded_by=user,
        source=source,
    )
    stored: list[str] = []
    try:
        with transaction.atomic():
            with open(path, "rb") as handle:
                asset.file.save(path.name, File(handle), save=False)
                stored.append(asset.file.name)
            if poster:
                with open(poster, "rb") as handle:
                    asset.poster.save(Path(poster).name, File(handle), save=False)
                    stored.append(asset.poster.name)
            asset.save()
            if clip.duration_ms is None:
                Clip.objects.filter(pk=clip.pk).update(duration_ms=info.duration_ms)
    except BaseException:
        for name in stored:
            asset.file.storage.delete(name)
        raise
    return asset


def ensure_peaks(asset: MediaAsset) -> list[int]:
    """The asset's waveform peaks, computed from its file and stored the first time they are asked for.

    A cache of the file's own content, not an edit: no permission or history. Two editors opening the
    clip at once may both compute them; the first stored wins and both get the same numbers."""
    if asset.peaks is not None:
        return asset.peaks
    peaks = waveform.compute_peaks(asset.file)
    MediaAsset.objects.filter(pk=asset.pk, peaks__isnull=True).update(peaks=peaks)
    asset.peaks = peaks
    return peaks
