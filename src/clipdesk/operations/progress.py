"""Progress bars for the long operations commands, drawn with rich on standard error.

Standard output stays for results (what was checked, what failed), so it can be piped or parsed; the
bar goes to standard error and is left out entirely at verbosity 0.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)


class Bar(Protocol):
    """One line of progress: `advance` by bytes or items, `describe` what is being worked on."""

    def advance(self, amount: float = 1) -> None: ...

    def describe(self, text: str) -> None: ...


class Tracker(Protocol):
    def bar(self, description: str, total: float | None, *, unit: str = "items") -> Bar: ...


class _RichBar:
    def __init__(self, progress: Progress, task: TaskID):
        self._progress, self._task = progress, task

    def advance(self, amount: float = 1) -> None:
        self._progress.advance(self._task, amount)

    def describe(self, text: str) -> None:
        self._progress.update(self._task, description=text)


class _RichTracker:
    def __init__(self, progress: Progress):
        self._progress = progress

    def bar(self, description: str, total: float | None, *, unit: str = "items") -> Bar:
        # The byte column shows sizes ("12.3/40.0 MB"); for files and rows a plain count reads better.
        fields = {"unit": unit}
        return _RichBar(self._progress, self._progress.add_task(description, total=total, **fields))


class _SilentBar:
    def advance(self, amount: float = 1) -> None:
        pass

    def describe(self, text: str) -> None:
        pass


class _SilentTracker:
    def bar(self, description: str, total: float | None, *, unit: str = "items") -> Bar:
        return _SilentBar()


class _CountOrBytes(MofNCompleteColumn):
    """Bytes as sizes, anything else as "done/total"."""

    def __init__(self):
        super().__init__()
        self._bytes = DownloadColumn()

    def render(self, task):
        if task.fields.get("unit") == "bytes":
            return self._bytes.render(task)
        return super().render(task)


@contextmanager
def tracking(stream: TextIO, *, enabled: bool = True) -> Iterator[Tracker]:
    """Progress bars on `stream` (the command's standard error), or none when not `enabled`."""
    if not enabled:
        yield _SilentTracker()
        return
    console = Console(file=stream, stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), _CountOrBytes(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        yield _RichTracker(progress)


def command_tracking(command, options: dict):
    """Progress for a management command: on its standard error, none at --verbosity 0."""
    # Django's OutputWrapper adds a newline to every write, which would break rich's redrawing;
    # the bar writes to the stream it wraps.
    stream = getattr(command.stderr, "_out", sys.stderr)
    return tracking(stream, enabled=options.get("verbosity", 1) > 0)
