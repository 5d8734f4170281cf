"""Editorial marks inside transcript text.

Translators mark words that were not spoken with square brackets ("the Islamic Resistance
[Hizbullah]") and cuts with an ellipsis. The text is stored exactly as printed; this module
splits it into parts for display. An unbalanced "[" is shown as printed, as spoken text, since
guessing where the editor meant it to close would change the record.
"""

import re
from dataclasses import dataclass
from typing import Literal

PartKind = Literal["spoken", "insertion", "elision"]

_MARK = re.compile(r"\[[^\[\]]*\]|\.\.\.|…")


@dataclass(frozen=True, slots=True)
class Part:
    kind: PartKind
    text: str


def parse_marks(text: str) -> list[Part]:
    parts: list[Part] = []
    pos = 0
    for match in _MARK.finditer(text):
        if match.start() > pos:
            parts.append(Part("spoken", text[pos : match.start()]))
        token = match.group()
        parts.append(Part("insertion" if token.startswith("[") else "elision", token))
        pos = match.end()
    if pos < len(text):
        parts.append(Part("spoken", text[pos:]))
    return parts
