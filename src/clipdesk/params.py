"""Whole numbers read from a request: a value that is not one answers 400 naming the parameter.

`str.isdigit()` is the wrong test for this: it accepts "²", which int() refuses, and "٣", which int()
reads as 3; and int() raises ValueError for a number of more than 4,300 digits. Only ASCII digits
count here, at most 18 of them, so every number read fits a 64-bit database column. This module
imports nothing from the apps, so any of them may use it.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import BadRequest

DIGITS = re.compile(r"[0-9]{1,18}")


class InvalidParameter(BadRequest):
    """A query parameter the view cannot use. Django answers 400; the page shows this message."""


def whole_number(value: str | None) -> int | None:
    """`value` as an int when it is 1 to 18 ASCII digits (surrounding spaces allowed), else None."""
    value = (value or "").strip()
    return int(value) if DIGITS.fullmatch(value) else None


def integer(
    params: Mapping[str, str], name: str, *, minimum: int, maximum: int, what: str = "a whole number"
) -> int | None:
    """The parameter `name` as an int from minimum to maximum; None when absent or empty.

    Raises InvalidParameter (400) for anything else, saying what was expected.
    """
    value = params.get(name, "").strip()
    if not value:
        return None
    number = whole_number(value)
    if number is None or not minimum <= number <= maximum:
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise InvalidParameter(f"?{name}= must be {what} from {minimum} to {maximum}, not {shown!r}.")
    return number
