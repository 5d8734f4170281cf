"""Template tags for pages of other apps that show the desk's data: the staff worklist (a transcripts
page) lists readers' open translation-error reports without the transcripts app importing this one."""

from django import template

from clipdesk.inquiries.models import TranslationReport

register = template.Library()


@register.simple_tag
def open_translation_reports(limit: int = 50):
    """Readers' translation-error reports still open (the first `limit`)."""
    return TranslationReport.objects.open().select_related("clip", "segment")[:limit]
