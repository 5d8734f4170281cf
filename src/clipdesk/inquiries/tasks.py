"""Emails to requesters and reporters, sent by the worker after the change has committed.

Tasks receive ids and re-read the rows; a row deleted in between means there is no one to write to.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from huey.contrib.djhuey import db_task

from .models import Inquiry, TranslationReport

log = logging.getLogger(__name__)


def _send(to: str, subject: str, template: str, context: dict) -> None:
    context = {
        "site_name": settings.CLIPDESK_SITE_NAME,
        "base_url": settings.CLIPDESK_BASE_URL,
        "contact_email": settings.CLIPDESK_CONTACT_EMAIL,
        **context,
    }
    body = render_to_string(template, context)
    EmailMessage(
        subject=f"{subject} | {settings.CLIPDESK_SITE_NAME}",
        body=body,
        to=[to],
        reply_to=[settings.CLIPDESK_CONTACT_EMAIL],
    ).send()


@db_task(retries=3, retry_delay=60)
def send_request_received(inquiry_id: int) -> None:
    inquiry = Inquiry.objects.filter(pk=inquiry_id).first()
    if inquiry is None:
        log.info("request %s is gone; no confirmation sent", inquiry_id)
        return
    _send(inquiry.email, "We have your request", "inquiries/email/received.txt", {"inquiry": inquiry})


@db_task(retries=3, retry_delay=60)
def send_request_status(history_id: int) -> None:
    """Tell the requester about one change of status: the one recorded in history row `history_id`."""
    change = Inquiry.history.filter(history_id=history_id).first()
    inquiry = Inquiry.objects.select_related("result_clip").filter(pk=change.id).first() if change else None
    if inquiry is None:
        log.info("request history %s is gone; no status email sent", history_id)
        return
    result_clip = inquiry.result_clip if inquiry.result_clip and inquiry.result_clip.is_public else None
    _send(
        inquiry.email,
        f"Your request is {change.get_status_display().lower()}",
        "inquiries/email/status.txt",
        {"inquiry": inquiry, "change": change, "result_clip": result_clip},
    )


@db_task(retries=3, retry_delay=60)
def send_report_closed(report_id: int) -> None:
    report = TranslationReport.objects.select_related("clip").filter(pk=report_id).first()
    if report is None or not report.reporter_email:
        return
    _send(
        report.reporter_email,
        "Your translation report",
        "inquiries/email/report_closed.txt",
        {"report": report},
    )
