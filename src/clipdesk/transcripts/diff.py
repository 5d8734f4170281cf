"""Word-level before-and-after of a correction, for readers."""

import re
from difflib import SequenceMatcher

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> SafeString:
    """HTML with removed words in <del> and added words in <ins>; unchanged words as they are."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    parts = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("{}", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("<del>{}</del>", "".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("<ins>{}</ins>", "".join(new[j1:j2])))
    return format_html_join("", "{}", ((format_html(template, text),) for template, text in parts))
