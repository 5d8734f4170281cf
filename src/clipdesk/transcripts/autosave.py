"""The editor's autosave body: a JSON object with the line's version and the fields to change.

Its shape is checked here, field by field, before the edit action sees it, so that a malformed body
is answered 400 naming the field instead of failing in the database (a null text, a time beyond the
column) or being stored as Python's repr of a list or an object.
"""

import json

from .models import Segment

# The largest value of a PositiveIntegerField on every database Django supports.
MAX_POSITIVE = 2**31 - 1
MAX_ID = 2**63 - 1
LANGUAGE_LENGTH = Segment._meta.get_field("original_language").max_length
NOTE_LENGTH = 2000  # a note beside a line, not an essay


class BadBody(ValueError):
    """The body cannot be an edit; the message says which field and why."""


def _whole(name: str, value, maximum: int, *, minimum: int = 0, nullable: bool = True) -> int | None:
    if value is None and nullable:
        return None
    # bool is an int in Python, and JSON's true is not a number.
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise BadBody(
            f"{name} must be a whole number from {minimum} to {maximum}{' or null' if nullable else ''}."
        )
    return value


def _text(name: str, value, max_length: int | None = None) -> str:
    if not isinstance(value, str):
        raise BadBody(f"{name} must be a string.")
    if max_length is not None and len(value) > max_length:
        raise BadBody(f"{name} is at most {max_length} characters.")
    try:
        value.encode("utf-8")  # a lone surrogate ("\ud800" in JSON) cannot be stored
    except UnicodeEncodeError:
        raise BadBody(f"{name} holds a character that is not Unicode text.") from None
    if "\0" in value:  # PostgreSQL's text cannot hold NUL
        raise BadBody(f"{name} holds a NUL character.")
    return value


FIELDS = {
    "english_text": lambda v: _text("english_text", v),
    "original_text": lambda v: _text("original_text", v),
    "note": lambda v: _text("note", v, NOTE_LENGTH),
    "original_language": lambda v: _text("original_language", v, LANGUAGE_LENGTH),
    "speaker_id": lambda v: _whole("speaker_id", v, MAX_ID, minimum=1),
    "start_ms": lambda v: _whole("start_ms", v, MAX_POSITIVE),
    "end_ms": lambda v: _whole("end_ms", v, MAX_POSITIVE),
}


def read(body: bytes) -> tuple[int, dict]:
    """The version the edit is based on, and the fields to change. Raises BadBody.

    Fields this module does not know are passed on: the edit action refuses them by name.
    """
    try:
        payload = json.loads(body or b"{}")
    except ValueError:  # also UnicodeDecodeError
        raise BadBody("Send JSON with the line's version and the fields to change.") from None
    if not isinstance(payload, dict):
        raise BadBody("Send a JSON object with the line's version and the fields to change.")
    if "version" not in payload:
        raise BadBody("Send the line's version with the fields to change.")
    version = _whole("version", payload.pop("version"), MAX_POSITIVE, nullable=False)
    return version, {
        name: FIELDS[name](value) if name in FIELDS else value for name, value in payload.items()
    }
