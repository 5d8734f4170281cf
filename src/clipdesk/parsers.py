"""Parsers of setting values, shared by settings.py (which parses every value once, at start) and the
code that must also accept a value set after start (a test's override, a settings module of one's own).

settings.py imports this module, so it imports nothing of Django's apps or of clipdesk's.
"""

import re

DIGITS = re.compile(r"[0-9]{1,18}")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"([0-9]+)/([smhd])")
WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]


def rate(text: str) -> tuple[int, int]:
    """'10/h' → (10, 3600): a count and its window in seconds (units s, m, h, d)."""
    match = RATE.fullmatch(str(text).strip())
    if match is None:
        raise ValueError(f"A rate limit looks like '10/h' (units s, m, h, d), not {text!r}.")
    return int(match[1]), UNITS[match[2]]


def hour(value: int | str) -> int:
    """An hour of the day, 0 to 23."""
    number = int(value)
    if not 0 <= number <= 23:
        raise ValueError(f"CLIPDESK_DIGEST_HOUR must be an hour from 0 to 23, not {number}.")
    return number


def weekday(value: str) -> int:
    """A day of the week as crontab counts it (0 = Sunday), from a name, its first three letters or a number."""
    day = str(value).strip().lower()
    for number, name in enumerate(WEEKDAYS):
        if day in {name, name[:3], str(number)}:
            return number
    raise ValueError(f"CLIPDESK_DIGEST_WEEKDAY must be a day of the week such as 'monday', not {day!r}.")


def switch(value: str) -> bool:
    """'on' or 'off' (also 1/0, true/false, yes/no)."""
    word = str(value).strip().lower()
    if word in {"on", "1", "true", "yes"}:
        return True
    if word in {"off", "0", "false", "no"}:
        return False
    raise ValueError(f"expected on or off, not {value!r}")
