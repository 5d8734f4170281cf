"""Receipts, emailed by the worker after the payment has committed."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from huey.contrib.djhuey import db_task

from .models import Payment
from .providers.offline import OfflineProvider

log = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=60)
def send_receipt(payment_id: int) -> None:
    """Email the receipt for one payment, once: a payment whose receipt went out is skipped."""
    payment = Payment.objects.select_related("donation").filter(pk=payment_id).first()
    if payment is None or payment.receipt_sent_at is not None:
        return
    donation = payment.donation
    context = {
        "payment": payment,
        "donation": donation,
        "demo": donation.provider == OfflineProvider.name,
        "site_name": settings.CLIPDESK_SITE_NAME,
        "base_url": settings.CLIPDESK_BASE_URL,
        "contact_email": settings.CLIPDESK_CONTACT_EMAIL,
    }
    EmailMessage(
        subject=f"Your donation receipt | {settings.CLIPDESK_SITE_NAME}",
        body=render_to_string("donations/email/receipt.txt", context),
        to=[donation.email],
        reply_to=[settings.CLIPDESK_CONTACT_EMAIL],
    ).send()
    Payment.objects.filter(pk=payment.pk).update(receipt_sent_at=timezone.now())
    log.info("receipt sent for payment %s", payment.pk)
