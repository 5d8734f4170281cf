"""The staff desk under /desk/: the queue of requests and translation reports, and a page to work each.

Each page needs its permission (anonymous visitors are sent to the login); each form posts back to
its page with an `op` naming the action it runs. A refused form is shown again with what was typed.
"""

import datetime as dt
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import actions
from .forms import AssignForm, NoteForm, ReportCloseForm, ResultForm, StatusForm
from .models import Inquiry, TranslationReport


def desk_view(perm: str):
    """Logged in (else to the login page), holding `perm` (else 403), never cached."""

    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return never_cache(login_required(checked))

    return decorator


def _page(request, queryset, param: str):
    return Paginator(queryset, settings.CLIPDESK_PAGE_SIZE).get_page(request.GET.get(param))


@require_GET
@desk_view("inquiries.view_inquiry")
def queue(request):
    show = request.GET.get("status", "open")
    inquiries = Inquiry.objects.all()
    if show in Inquiry.Status.values:
        inquiries = inquiries.with_status(show)
    elif show != "all":
        show = "open"
        inquiries = inquiries.open()
    mine = bool(request.GET.get("mine"))
    if mine:
        inquiries = inquiries.assigned_to(request.user)
    context = {
        "page": _page(request, inquiries.for_queue(), "page"),
        "show": show,
        "mine": mine,
        "statuses": Inquiry.Status.choices,
        "reports": None,
    }
    if request.user.has_perm("inquiries.view_translationreport"):
        context["reports"] = _page(request, TranslationReport.objects.open().for_queue(), "reports")
    return render(request, "inquiries/desk/queue.html", context)


# The forms on a request's page, by the `op` each posts, and the permission each needs.
REQUEST_OPS = {
    "assign": "inquiries.change_inquiry",
    "status": "inquiries.change_inquiry",
    "result": "inquiries.change_inquiry",
    "note": "inquiries.add_inquirynote",
}


def _request_forms(inquiry: Inquiry, data=None, op: str | None = None) -> dict:
    def bound(name):
        return data if name == op else None

    result_initial = {
        "clip": inquiry.result_clip.reference if inquiry.result_clip else "",
        "url": inquiry.result_url,
    }
    return {
        "assign": AssignForm(
            bound("assign"),
            staff=actions.desk_staff(),
            initial={"assignee": inquiry.assignee_id},
            prefix="assign",
        ),
        "status": StatusForm(bound("status"), inquiry=inquiry, prefix="status"),
        "result": ResultForm(bound("result"), initial=result_initial, prefix="result"),
        "note": NoteForm(bound("note"), prefix="note"),
    }


def _run_request_op(op: str, inquiry: Inquiry, user, data: dict) -> str:
    """Run the action behind `op`; return what to tell the member of staff."""
    if op == "assign":
        actions.assign(inquiry, user=user, assignee=data["assignee"])
        return f"Assigned to {data['assignee']}."
    if op == "status":
        inquiry = actions.change_status(inquiry, user=user, status=data["status"], message=data["message"])
        return f"The request is now {inquiry.get_status_display().lower()}; the requester is being emailed."
    if op == "result":
        actions.set_result(inquiry, user=user, clip=data["clip"], url=data["url"])
        return "Result saved."
    actions.add_note(inquiry, user=user, text=data["text"])
    return "Note added."


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    by: object  # the member of staff, or None for the requester and local processes
    changes: list[str]
    reply: str  # the message sent with a change of status


def _result(row) -> str:
    parts = [row.result_clip.reference if row.result_clip else "", row.result_url]
    return " ".join(part for part in parts if part) or "none"


def request_history(inquiry: Inquiry) -> list[HistoryEntry]:
    """Each save of the request, newest first, said as what it changed.

    A history row holds the whole request, so showing each row's status repeated the status for saves
    that changed something else (the result); each entry names only what differs from the row before.
    """
    rows = inquiry.history.select_related("history_user").order_by("history_date", "history_id")
    entries: list[HistoryEntry] = []
    before = None
    for row in rows:
        changes = []
        if before is None:
            changes.append("Received")
        elif row.status != before.status:
            changes.append(row.get_status_display())
        if row.assignee_id != (before.assignee_id if before else None) and row.assignee_id:
            changes.append(f"Assigned to {row.assignee}")
        if before is not None and _result(row) != _result(before):
            changes.append(f"Result: {_result(row)}")
        if changes:
            status_changed = before is None or row.status != before.status
            entries.append(
                HistoryEntry(row.history_date, row.history_user, changes, row.reply if status_changed else "")
            )
        before = row
    return entries[::-1]


@require_http_methods(["GET", "POST"])
@desk_view("inquiries.view_inquiry")
def request_detail(request, pk: int):
    inquiry = get_object_or_404(Inquiry.objects.select_related("assignee", "result_clip"), pk=pk)
    op = request.POST.get("op") if request.method == "POST" else None
    if request.method == "POST" and op not in REQUEST_OPS:
        return redirect(inquiry)
    if op and not request.user.has_perm(REQUEST_OPS[op]):
        raise PermissionDenied
    forms = _request_forms(inquiry, request.POST, op)
    if op:
        form = forms[op]
        if form.is_valid():
            try:
                messages.success(request, _run_request_op(op, inquiry, request.user, form.cleaned_data))
                return redirect(inquiry)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
    context = {
        "inquiry": inquiry,
        "forms": forms,
        "notes": inquiry.notes.select_related("author"),
        "history": request_history(inquiry),
        "can_change": request.user.has_perm("inquiries.change_inquiry"),
        "can_note": request.user.has_perm("inquiries.add_inquirynote"),
    }
    return render(request, "inquiries/desk/request.html", context, status=400 if op else 200)


@require_http_methods(["GET", "POST"])
@desk_view("inquiries.view_translationreport")
def report_detail(request, pk: int):
    report = get_object_or_404(TranslationReport.objects.select_related("clip", "segment"), pk=pk)
    posted = request.method == "POST"
    if posted and not request.user.has_perm("inquiries.change_translationreport"):
        raise PermissionDenied
    form = ReportCloseForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            actions.close_translation_report(
                report,
                user=request.user,
                status=form.cleaned_data["status"],
                message=form.cleaned_data["message"],
            )
            messages.success(request, "Report closed.")
            return redirect(report)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    context = {
        "report": report,
        "form": form,
        "can_change": request.user.has_perm("inquiries.change_translationreport"),
        "segment_now": report.segment,
    }
    return render(request, "inquiries/desk/report.html", context, status=400 if posted else 200)
