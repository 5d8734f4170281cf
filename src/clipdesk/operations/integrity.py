"""Check the stored media against the checksums the database recorded when it was attached.

`MediaAsset.sha256` is the checksum of the media file itself. Posters carry no recorded checksum, so
a poster can only be checked for presence; an altered poster goes unnoticed until one is recorded.
"""

from dataclasses import dataclass, field

from clipdesk.media.models import MediaAsset
from clipdesk.media.streams import StoredStream

from .manifest import hash_stream
from .progress import Bar, Tracker


@dataclass(frozen=True)
class MediaProblem:
    asset_id: int
    clip: str  # the clip's reference: "#8891" or "id:12"
    name: str  # the storage name
    kind: str  # "missing", "altered" or "missing poster"
    detail: str = ""

    def __str__(self) -> str:
        text = f"media {self.asset_id} of clip {self.clip}: {self.name}: {self.kind}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass
class MediaReport:
    files_checked: int = 0
    posters_checked: int = 0
    problems: list[MediaProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _size(storage, name: str) -> int | None:
    # exists() first: how a storage reports a missing file from size() differs (S3 raises its own error).
    return storage.size(name) if name and storage.exists(name) else None


def _check_file(asset: MediaAsset, size: int | None, bar: Bar) -> MediaProblem | None:
    name = asset.file.name
    if size is None:
        return MediaProblem(asset.pk, asset.clip.reference, name, "missing")
    bar.describe(f"verifying {name}")
    try:
        with StoredStream(asset.file.storage, name) as handle:
            _, sha256 = hash_stream(handle, on_chunk=bar.advance)
    except FileNotFoundError:
        return MediaProblem(asset.pk, asset.clip.reference, name, "missing")
    if sha256 != asset.sha256:
        return MediaProblem(
            asset.pk, asset.clip.reference, name, "altered", f"SHA-256 {sha256}, recorded {asset.sha256}"
        )
    return None


def check_media(assets=None, *, tracker: Tracker) -> MediaReport:
    """Hash every media file of `assets` (default: all) and look for every poster; report what fails."""
    assets = list(MediaAsset.objects.select_related("clip") if assets is None else assets)
    sizes = {asset.pk: _size(asset.file.storage, asset.file.name) for asset in assets}
    bar = tracker.bar("verifying media", total=sum(s or 0 for s in sizes.values()), unit="bytes")
    report = MediaReport()
    for asset in assets:
        report.files_checked += 1
        problem = _check_file(asset, sizes[asset.pk], bar)
        if problem:
            report.problems.append(problem)
        if asset.poster:
            report.posters_checked += 1
            if not asset.poster.storage.exists(asset.poster.name):
                report.problems.append(
                    MediaProblem(asset.pk, asset.clip.reference, asset.poster.name, "missing poster")
                )
    bar.describe("verifying media")
    return report
