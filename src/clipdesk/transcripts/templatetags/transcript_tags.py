from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clipdesk.archive.citation import format_time
from clipdesk.transcripts.diff import word_diff as _word_diff
from clipdesk.transcripts.marks import parse_marks

register = template.Library()

_PART_HTML = {
    "insertion": '<span class="insertion" title="Editorial insertion: not spoken">{}</span>',
    "elision": '<span class="elision" title="Cut from the recording">{}</span>',
    "spoken": "{}",
}
_LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "fa": "Persian",
    "tr": "Turkish",
    "ur": "Urdu",
    "he": "Hebrew",
    "ru": "Russian",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "ps": "Pashto",
    "ku": "Kurdish",
}


@register.filter
def marks(text: str) -> SafeString:
    """Transcript text as HTML, editorial insertions and elisions visibly distinct.

    Printed for every line of a clip page twice, so joined here rather than through format_html():
    each part's text is escaped, and the markup around it is `_PART_HTML`'s."""
    html = "".join(_PART_HTML[p.kind].format(escape(p.text)) for p in parse_marks(text or ""))
    return mark_safe(html)  # every part's text escaped above


@register.filter
def moment(ms: int | None) -> str:
    """Milliseconds as a reader's timestamp: 72000 → '1:12'."""
    return format_time(ms)


@register.filter
def seconds(ms: int | None) -> str:
    """Milliseconds as seconds for media APIs: 72500 → '72.500'."""
    return "" if ms is None else f"{ms / 1000:.3f}"


@register.filter
def language_name(code: str) -> str:
    return _LANGUAGE_NAMES.get((code or "").split("-")[0], code)


@register.filter
def timecode(ms: int | None) -> str:
    """Milliseconds as an editable time: 72500 → '1:12.500'."""
    if ms is None:
        return ""
    return f"{format_time(ms)}.{ms % 1000:03d}"


@register.filter
def word_diff(before: str, after: str) -> SafeString:
    """`{{ edit.before|word_diff:edit.after }}`: a correction's removed and added words, for readers."""
    return _word_diff(before or "", after or "")


@register.filter
def percent(fraction: float | None) -> str:
    """A share as a percentage with one decimal: 0.125 → '12.5%'; None → '—'."""
    return "—" if fraction is None else f"{fraction:.1%}"
