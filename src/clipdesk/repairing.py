"""What a repairer returns to `clipdesk repair` (clipdesk.operations.repair runs them).

Each app names its repairers in its AppConfig (`repairers = ("clipdesk.ingest.repair.requeue_ingest_jobs",)`)
and builds its result with this type, without importing operations, which sits above every app.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class RepairResult:
    summary: str  # one line: what was repaired, or why nothing was
    repaired: int = 0  # how many things were (or, in a dry run, would be) repaired


class Repairer(Protocol):
    def __call__(self, *, dry_run: bool) -> RepairResult: ...
