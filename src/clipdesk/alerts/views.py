"""Staff pages of the live transcription: retrying a span it gave up on. The running transcript
itself is shown on the recording's timeline (templatetags/live.py)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from clipdesk.accounts.decorators import staff_required

from . import actions
from .models import NotTranscribed


@staff_required
@require_POST
def retry(request, slug: str, pk: int):
    span = get_object_or_404(
        NotTranscribed.objects.select_related("source"), pk=pk, source__channel__slug=slug
    )
    try:
        actions.retry_span(span, user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "The span is queued to be transcribed again.")
    local = span.start.astimezone(span.source.zone)
    query = urlencode({"date": local.date().isoformat(), "hour": local.hour})
    return redirect(f"{reverse('recording:timeline', args=[slug])}?{query}")
