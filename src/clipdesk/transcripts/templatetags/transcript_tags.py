from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from clipdesk.transcripts.marks import parse_marks

register = template.Library()

_PART_HTML = {
    "insertion": '<span class="insertion" title="Editorial insertion: not spoken">{}</span>',
    "elision": '<span class="elision" title="Cut from the recording">{}</span>',
    "spoken": "{}",
}


@register.filter
def marks(text: str) -> SafeString:
    """Transcript text as HTML, editorial insertions and elisions visibly distinct."""
    return format_html_join(
        "", "{}", ((format_html(_PART_HTML[p.kind], p.text),) for p in parse_marks(text or ""))
    )
