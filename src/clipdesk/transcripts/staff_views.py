"""Staff pages: the worklist and the transcript editor. Every write calls a named action.

The editor's workflow form (review, publish, withdraw, assign) posts to `archive.staff_views`: the
archive owns a clip's status."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clipdesk.accounts.decorators import staff_required
from clipdesk.archive.models import Clip, Person
from clipdesk.media.actions import attach_media
from clipdesk.media.probe import ProbeError
from clipdesk.params import whole_number

from . import actions, autosave, export, findreplace, quality, review, steps
from .diff import word_diff
from .models import PageImport, Revision, Segment, Speaker
from .subtitle_import import SubtitleImportError, import_subtitles
from .subtitles import SubtitleError

STATUS_TABS = [("", "All"), *Clip.Status.choices]
CHECKED_STATUSES = (Clip.Status.DRAFT, Clip.Status.REVIEW)


def _errors(exc: Exception) -> str:
    return "; ".join(getattr(exc, "messages", None) or [str(exc)])


@staff_required
@require_GET
def worklist(request):
    clips = Clip.objects.select_related("channel", "assignee").order_by("-updated_at")
    status = request.GET.get("status", "")
    if status in Clip.Status.values:
        clips = clips.filter(status=status)
    who = request.GET.get("assignee", "")
    if who == "me":
        clips = clips.filter(assignee=request.user)
    elif who == "nobody":
        clips = clips.filter(assignee__isnull=True)
    # Imported pages with something an editor must check (the import report's "needs review").
    import_review = request.GET.get("review", "") == "import"
    if import_review:
        clips = (
            clips.filter(page_imports__needs_review=True)
            .distinct()
            .prefetch_related(
                Prefetch("page_imports", PageImport.objects.filter(needs_review=True), to_attr="reviews")
            )
        )
    # Drafts and clips in review come with the most to check first, unless asked otherwise.
    sort = request.GET.get("sort") or ("check" if status in CHECKED_STATUSES else "updated")
    if sort == "check" and status in CHECKED_STATUSES:
        to_check = review.lines_to_check(clips.values("pk"))
        shown = sorted(clips, key=lambda clip: -to_check.get(clip.pk, -1))[:200]
    else:
        sort = "updated"
        shown = list(clips[:200])
        to_check = review.lines_to_check([clip.pk for clip in shown])
    for clip in shown:
        clip.to_check = to_check.get(clip.pk)  # None: no machine text
    context = {
        "clips": shown,
        "sort": sort,
        "sortable": status in CHECKED_STATUSES,
        "status": status,
        "who": who,
        "review": import_review,
        "tabs": STATUS_TABS,
        "mine": Clip.objects.filter(assignee=request.user).exclude(status=Clip.Status.WITHDRAWN).count(),
        "pending_corrections": Revision.objects.pending().select_related("clip"),
    }
    return render(request, "transcripts/worklist.html", context)


def _clip(pk: int) -> Clip:
    return get_object_or_404(Clip.objects.select_related("channel", "assignee"), pk=pk)


@staff_required
@require_GET
def editor(request, pk: int):
    clip = _clip(pk)
    segments = list(clip.segments.in_order())
    revision = clip.revisions.pending().first()
    pending = {}
    clip_edits = []
    if revision:
        for edit in revision.edits.all():
            if edit.segment_id:
                pending[(edit.segment_id, edit.field)] = edit.after
            else:
                clip_edits.append(edit)
    rows = []
    for segment in segments:
        rows.append(
            {
                "segment": segment,
                "english": pending.get((segment.pk, "english_text"), segment.english_text),
                "original": pending.get((segment.pk, "original_text"), segment.original_text),
                "note": pending.get((segment.pk, "note"), segment.note),
                "speaker_id": int(pending.get((segment.pk, "speaker_id"), segment.speaker_id) or 0) or None,
                "start_ms": pending.get((segment.pk, "start_ms"), segment.start_ms),
                "end_ms": pending.get((segment.pk, "end_ms"), segment.end_ms),
                "changed": any(key[0] == segment.pk for key in pending),
                "check": review.check_line(segment),
            }
        )
    media = clip.media.first()
    draft_quality = quality.measure([clip])[0]
    to_check = sum(row["check"].needed for row in rows)
    context = {
        "to_check": to_check,
        "draft_quality": draft_quality,
        "draft_scores": [
            (quality.kind_label(kind), score) for kind, score in sorted(draft_quality.scores.items())
        ],
        "clip": clip,
        "rows": rows,
        "speakers": list(clip.speakers.select_related("person")),
        "roles": Speaker.Role.choices,
        "people": Person.objects.only("pk", "name"),
        "media": media,
        "languages": export.languages(clip) if any(s.is_timed for s in segments) else [],
        "original_language": export.original_language(clip, segments)
        or (clip.channel.language if clip.channel else ""),
        "revision": revision,
        "revision_edits": _revision_edits(revision) if revision else [],
        "clip_edits": clip_edits,
        "has_machine_text": any(s.english_origin == "machine" for s in segments),
        "staff": get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username"),
        "perms": {
            "submit": request.user.has_perm("archive.submit_clip"),
            "publish": request.user.has_perm("archive.publish_clip"),
            "withdraw": request.user.has_perm("archive.withdraw_clip"),
            "correct": request.user.has_perm("archive.publish_correction"),
            "edit": request.user.has_perm("transcripts.change_segment"),
        },
        "next_undo": steps.next_undo(clip.pk, request.user),
        "next_redo": steps.next_redo(clip.pk, request.user),
        "structure_locked": clip.status not in (Clip.Status.DRAFT, Clip.Status.REVIEW),
    }
    return render(request, "transcripts/editor.html", context)


def _revision_edits(revision: Revision) -> list[dict]:
    return [
        {
            "where": f"line {edit.segment.position + 1}" if edit.segment_id else "clip",
            "field": edit.field.replace("_", " "),
            "diff": word_diff(edit.before, edit.after),
        }
        for edit in revision.edits.select_related("segment")
    ]


def _segment_data(segment: Segment) -> dict:
    data = {
        "id": segment.pk,
        "version": segment.version,
        "position": segment.position,
        "english_text": actions.pending_value(segment, "english_text"),
        "original_text": actions.pending_value(segment, "original_text"),
        "note": actions.pending_value(segment, "note"),
        "speaker_id": segment.speaker_id,
        "start_ms": segment.start_ms,
        "end_ms": segment.end_ms,
        "english_origin": segment.english_origin,
    }
    data["pending"] = segment.clip.status == Clip.Status.PUBLISHED
    return data


@staff_required
@require_POST
def segment(request, pk: int):
    """Autosave of one line: JSON in, JSON out. 409 with both versions on an edit conflict."""
    try:
        version, payload = autosave.read(request.body)
    except autosave.BadBody as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    try:
        saved = actions.edit_segment(pk, user=request.user, version=version, **payload)
    except Segment.DoesNotExist:
        return JsonResponse({"error": "This line no longer exists; reload the editor."}, status=404)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    except actions.EditConflict as exc:
        return JsonResponse(
            {"error": str(exc), "current": _segment_data(exc.segment), "attempted": exc.attempted}, status=409
        )
    except (ValidationError, ValueError, TypeError) as exc:
        return JsonResponse({"error": _errors(exc)}, status=400)
    return JsonResponse(_segment_data(saved))


def _back(clip: Clip, anchor: str = ""):
    return redirect(f"/staff/clips/id:{clip.pk}/edit/{anchor}")


def _run(request, clip: Clip, action, *args, success: str, **kwargs):
    try:
        result = action(*args, user=request.user, **kwargs)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except (ValidationError, actions.EditConflict, SubtitleImportError, ProbeError, SubtitleError) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, success)
        return result
    return None


@staff_required
@require_POST
def split(request, pk: int):
    segment_ = get_object_or_404(Segment.objects.select_related("clip"), pk=pk)
    version = whole_number(request.POST.get("version"))
    cursor = {
        name: whole_number(request.POST[name])
        for name in ("at", "original_at")
        if request.POST.get(name, "") != ""
    }
    if version is None or not cursor or None in cursor.values():
        return HttpResponseBadRequest("Missing cursor position or version.")
    if len(cursor) == 2:  # the form sends where the cursor was: the text last focused
        cursor.pop("at" if request.POST.get("in") == "original" else "original_at")
    new = _run(
        request,
        segment_.clip,
        actions.split_segment,
        pk,
        version=version,
        success="Line split at a word boundary. Undo (Alt+Z) joins it again.",
        **cursor,
    )
    return _back(segment_.clip, f"#line-{(new or segment_).position + 1}")


@staff_required
@require_POST
def merge(request, pk: int):
    segment_ = get_object_or_404(Segment.objects.select_related("clip"), pk=pk)
    try:
        version = int(request.POST["version"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("Missing version.")
    _run(request, segment_.clip, actions.merge_with_next, pk, version=version, success="Lines merged.")
    return _back(segment_.clip, f"#line-{segment_.position + 1}")


@staff_required
@require_POST
def undo(request, pk: int):
    """Undo (or, with redo=1, redo) this person's last change to the clip's lines."""
    clip = _clip(pk)
    redo = bool(request.POST.get("redo"))
    step = _run(
        request,
        clip,
        actions.redo if redo else actions.undo,
        clip,
        success="Redone." if redo else "Undone.",
    )
    if step is not None:
        messages.info(request, f"{'Redone' if redo else 'Undone'}: {step.label}.")
    return _back(clip, _step_anchor(step))


def _step_anchor(step) -> str:
    if step is None:
        return ""
    pk = step.data.get("segment") or step.data.get("first")
    position = Segment.objects.filter(pk=pk).values_list("position", flat=True).first()
    return f"#line-{position + 1}" if position is not None else ""


def _replace_options(data) -> dict:
    return {
        "language": data.get("language", "english"),
        "find": data.get("find", "")[: findreplace.MAX_FIND + 1],
        "replace": data.get("replace", "")[:2000],
        "match_case": bool(data.get("match_case")),
        "whole_words": bool(data.get("whole_words")),
    }


@staff_required
@require_http_methods(["GET", "POST"])
def find_replace(request, pk: int):
    """Find and replace in one language of a clip's lines: GET previews every change, POST saves the
    lines ticked in the preview (each through edit_segment) and goes back to the editor."""
    clip = _clip(pk)
    options = _replace_options(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        ids = request.POST.getlist("line")
        versions = {whole_number(i): whole_number(request.POST.get(f"version-{i}")) for i in ids}
        if None in versions or None in versions.values():
            return HttpResponseBadRequest("Each line is given by its id and the version previewed.")
        saved = _run(
            request,
            clip,
            actions.replace_in_lines,
            clip,
            versions=versions,
            **options,
            success="Replaced. Each changed line is one step to undo (Alt+Z).",
        )
        if saved is not None:
            messages.info(request, f"{len(saved)} line{'s' if len(saved) != 1 else ''} changed.")
        return _back(clip)
    changes, error = [], ""
    if options["find"]:
        try:
            changes = findreplace.find_changes(clip, **options)
        except ValidationError as exc:
            error = _errors(exc)
    context = {
        "clip": clip,
        "changes": changes,
        "error": error,
        "options": options,
        "languages": findreplace.LANGUAGE_LABELS,
        "searched": bool(options["find"]) and not error,
        "can_edit": request.user.has_perm("transcripts.change_segment"),
    }
    return render(request, "transcripts/find_replace.html", context)


@staff_required
@require_POST
def checked(request, pk: int):
    segment_ = get_object_or_404(Segment.objects.select_related("clip"), pk=pk)
    try:
        version = int(request.POST["version"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("Missing version.")
    _run(
        request,
        segment_.clip,
        actions.mark_checked,
        pk,
        version=version,
        success=f"Line {segment_.position + 1} marked checked.",
    )
    return _back(segment_.clip, f"#line-{segment_.position + 1}")


@staff_required
@require_POST
def speakers(request, pk: int):
    clip = _clip(pk)
    if request.POST.get("add"):
        _run(
            request,
            clip,
            actions.add_speaker,
            clip,
            label=request.POST.get("label", ""),
            success="Speaker added.",
        )
        return _back(clip, "#speakers")
    speaker_id, person_id = whole_number(request.POST.get("speaker")), request.POST.get("person") or None
    if speaker_id is None or (person_id and whole_number(person_id) is None):
        return HttpResponseBadRequest("The speaker and the person are given by their ids.")
    speaker = get_object_or_404(Speaker, pk=speaker_id, clip=clip)
    person = Person.objects.filter(pk=whole_number(person_id)).first() if person_id else None
    _run(
        request,
        clip,
        actions.rename_speaker,
        speaker.pk,
        label=request.POST.get("label"),
        person=person,
        clear_person=person is None,
        role=request.POST.get("role", speaker.role),
        success=f"Speaker saved for every line of {clip.reference}.",
    )
    return _back(clip, "#speakers")


@staff_required
@require_POST
def correction(request, pk: int):
    clip = _clip(pk)
    revision = get_object_or_404(Revision, clip=clip, status=Revision.Status.PENDING)
    if request.POST.get("discard"):
        _run(request, clip, actions.discard_revision, revision, success="Pending changes discarded.")
    else:
        _run(
            request,
            clip,
            actions.publish_correction,
            revision,
            note=request.POST.get("note", ""),
            success="Correction published.",
        )
    return _back(clip)


@staff_required
@require_POST
def upload_subtitles(request, pk: int):
    clip = _clip(pk)
    upload = request.FILES.get("file")
    language = request.POST.get("language", "").strip()
    if upload is None or not language:
        messages.error(request, "Choose a subtitle file and say which language it is in.")
        return _back(clip)
    if upload.size > 5 * 1024 * 1024:
        messages.error(
            request, "That file is over 5 MB; subtitle files are much smaller. Is it the right file?"
        )
        return _back(clip)
    result = _run(
        request,
        clip,
        import_subtitles,
        clip,
        upload.read(),
        language=language,
        filename=upload.name,
        success=f"Subtitles read from {upload.name}.",
    )
    if result:
        messages.info(request, result.summary)
        for warning in result.warnings[:20]:
            messages.warning(request, warning)
    return _back(clip)


@staff_required
@require_POST
def upload_media(request, pk: int):
    clip = _clip(pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a media file to attach.")
        return _back(clip)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        _run(
            request,
            clip,
            attach_media,
            clip,
            path,
            source=request.POST.get("source", "")[:500],
            success=f"Media attached to {clip.reference}.",
        )
    return _back(clip)


@staff_required
@require_GET
def draft_quality(request):
    """How much of the machine drafts people changed: by channel and month, and the latest clips."""
    measured = quality.measure(quality.published_clips())
    periods = quality.by_channel_and_month(measured)
    kinds = sorted({kind for period in periods for kind in period.scores})
    context = {
        "kinds": [(kind, quality.kind_label(kind)) for kind in kinds],
        "periods": [(period, [period.scores.get(kind) for kind in kinds]) for period in periods],
        "clips": [
            (q, [q.scores.get(kind) for kind in kinds]) for q in reversed(measured[-100:])
        ],  # newest first
    }
    return render(request, "transcripts/quality.html", context)
