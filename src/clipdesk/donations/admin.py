"""Donations in the staff admin: read-only (only provider events change them), with totals and CSV.

Email addresses appear on a donation's own page, never in the list or the export.
"""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from clipdesk.privacy.admin import EraseOnRequest

from .models import Donation, Payment, format_money, major_units

CSV_COLUMNS = [
    "reference",
    "created",
    "kind",
    "status",
    "amount",
    "currency",
    "received",
    "payments",
    "provider",
]


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["paid_at", "amount_display", "provider_ref", "receipt_sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Donation)
class DonationAdmin(EraseOnRequest, SimpleHistoryAdmin):
    list_display = ["__str__", "created_at", "kind", "status", "amount_display", "received", "provider"]
    list_filter = ["kind", "status", "currency", "provider"]
    date_hierarchy = "created_at"
    search_fields = ["=reference", "=email", "=checkout_id", "=subscription_id"]
    readonly_fields = [
        "reference",
        "provider",
        "kind",
        "amount_display",
        "email",
        "status",
        "checkout_id",
        "subscription_id",
        "created_at",
        "updated_at",
        "erased_at",
    ]
    exclude = ["amount_minor", "currency"]
    inlines = [PaymentInline]
    actions = ["export_csv", "erase_people"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_received()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # payments refer to donations; the record of money received is kept

    @admin.display(description="Received", ordering="received_minor")
    def received(self, obj):
        return format_money(obj.received_minor or 0, obj.currency)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:  # not on a redirect or an error page
            response.context_data["totals"] = changelist.queryset.totals()
        return response

    @admin.action(description="Export the selected donations as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="donations-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for donation in queryset.with_received().order_by("created_at", "pk"):
            writer.writerow(
                [
                    donation.reference,
                    donation.created_at.isoformat(),
                    donation.kind,
                    donation.status,
                    major_units(donation.amount_minor),
                    donation.currency.upper(),
                    major_units(donation.received_minor or 0),
                    donation.payment_count,
                    donation.provider,
                ]
            )
        return response
