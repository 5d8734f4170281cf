"""Staff pages of the archive: a clip's workflow (review, publish, withdraw, assign), the form on the
transcript editor. The archive owns a clip's status, so the buttons that change it post here; every
write calls a named action in `archive.actions`."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from clipdesk.accounts.decorators import staff_required

from . import actions
from .models import Clip


def _run(request, action, clip: Clip, *, success: str, **kwargs):
    """Run one action as the signed-in user; say what happened in a message, return its result or None."""
    try:
        result = action(clip, user=request.user, **kwargs)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, success)
        return result
    return None


@staff_required
@require_POST
def workflow(request, pk: int):
    clip = get_object_or_404(Clip.objects.select_related("channel", "assignee"), pk=pk)
    step = request.POST.get("step")
    if step == "submit":
        _run(request, actions.submit_for_review, clip, success="Sent to review.")
    elif step == "return":
        _run(request, actions.return_to_draft, clip, success="Returned to draft.")
    elif step == "publish":
        published = _run(
            request,
            actions.publish_clip,
            clip,
            confirm_machine_text=request.POST.get("confirm_machine_text") == "yes",
            success="Published.",
        )
        if published:
            messages.info(request, f"Published as {published.reference}.")
    elif step == "withdraw":
        _run(
            request, actions.withdraw_clip, clip, reason=request.POST.get("reason", ""), success="Withdrawn."
        )
    elif step == "assign":
        who = request.POST.get("assignee")
        assignee = get_user_model().objects.filter(pk=who).first() if who else None
        _run(request, actions.assign_clip, clip, assignee=assignee, success="Assignment saved.")
    else:
        return HttpResponseBadRequest("Unknown workflow step.")
    # Back to the editor, where the form is (the transcripts app's page, found by its URL name).
    return redirect(reverse("transcripts:editor", args=[clip.pk]))
