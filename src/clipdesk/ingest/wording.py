"""What the ingest pages say, in the words staff use: "2 GB", "took 12 s", the steps of a job by name.

Sizes count in binary units, as the upload limit (CLIPDESK_MAX_UPLOAD_MB, times 1024 squared) does, so
a limit of 2048 MB reads "2 GB". Numbers keep one decimal below ten and none above: "1.5 GB", "51 KB".
"""

from clipdesk.archive.models import format_duration

UNITS = ("KB", "MB", "GB", "TB")
# The pipeline's timing keys (ingest.runner, ingest.tasks) in the order a job runs them.
STEPS = {
    "model": "Loading the speech model",
    "cut": "Cutting the recording",
    "decode": "Transcription",
    "transcribe": "Transcription",
    "translate": "English draft",
    "diarize": "Telling the speakers apart",
    "rendition": "Making the playable file",
    "poster": "Making the poster",
    "store": "Storing the draft",
}


def _number(value: float) -> str:
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text.removesuffix(".0")


def size(count: float) -> str:
    """A file size: "2 GB", "700 MB", "500 bytes"."""
    if count < 1024:
        count = int(count)
        return f"{count} byte{'' if count == 1 else 's'}"
    value = count / 1024
    for unit in UNITS:
        if round(value, 1) < 1024 or unit == UNITS[-1]:
            return f"{_number(value)} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def length(minutes: float) -> str:
    """A length limit: "3 hours", "90 minutes"."""
    minutes = float(minutes)
    if minutes >= 60 and minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{_number(minutes)} minute{'' if minutes == 1 else 's'}"


def took(seconds: float) -> str:
    """How long a step took: "took 12 s", "took 2 min 5 s"."""
    if seconds < 0.05:
        return "took under 0.1 s"
    if seconds < 60:
        return f"took {_number(seconds)} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, rest = divmod(rest, 60)
    return f"took {hours} h {minutes} min" if hours else f"took {minutes} min {rest} s"


def timings(values: dict) -> list[tuple[str, str]]:
    """A job's timings as (step, "took ...") rows: the known steps in running order, then any other,
    then the whole job with the length of recording it worked on."""
    known = [(STEPS[key], took(values[key])) for key in STEPS if key in values]
    other = [
        (key.replace("_", " ").capitalize(), took(value))
        for key, value in values.items()
        if key not in STEPS and key not in ("total", "audio_seconds")
    ]
    rows = known + other
    if "total" in values:
        audio = values.get("audio_seconds")
        label = f"In all, for {format_duration(round(audio * 1000))} of recording" if audio else "In all"
        rows.append((label, took(values["total"])))
    return rows
