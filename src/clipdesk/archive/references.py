"""Cross-references in a clip's summary, rendered as links or marked as not in the archive."""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def render_summary(summary: str, references, targets: dict) -> SafeString:
    """The summary as HTML paragraphs, each printed reference linked to its clip when the archive has it."""
    by_text: dict[str, list] = {}
    for ref in references:
        if ref.text and ref.text in summary:
            by_text.setdefault(ref.text, []).append(ref)
    if by_text:
        pattern = re.compile("|".join(re.escape(t) for t in sorted(by_text, key=len, reverse=True)))
        pieces, pos = [], 0
        for match in pattern.finditer(summary):
            pieces.append(escape(summary[pos : match.start()]))
            pieces.append(_reference_html(match.group(), by_text[match.group()], targets))
            pos = match.end()
        pieces.append(escape(summary[pos:]))
        html = "".join(pieces)
    else:
        html = escape(summary)
    paragraphs = [p.strip() for p in html.split("\n\n") if p.strip()]
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs))  # every piece is escaped above


def _one(text: str, clip) -> str:
    if clip is None:
        return format_html(
            '<span class="xref xref-missing">{} <small>(not in the archive)</small></span>', text
        )
    return format_html(
        '<a class="xref" href="{}" title="{}">{}</a>', clip.get_absolute_url(), clip.title, text
    )


def _reference_html(text: str, refs: list, targets: dict) -> str:
    if len(refs) == 1:
        return _one(text, targets.get(refs[0].number))
    numbers = {str(ref.number): ref for ref in refs}
    pieces, pos = [], 0
    for match in re.finditer(r"\d+", text):
        if match.group() in numbers:
            pieces.append(escape(text[pos : match.start()]))
            pieces.append(_one(match.group(), targets.get(int(match.group()))))
            pos = match.end()
    pieces.append(escape(text[pos:]))
    return "".join(pieces)
