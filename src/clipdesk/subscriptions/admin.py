"""Staff see subscribers and the outbox, to answer questions about mail; they change nothing here but
erase a person's data when asked. Readers change their own subscriptions through the signed links in
every email."""

from django.contrib import admin

from clipdesk.privacy.admin import EraseOnRequest

from .models import OutboxMessage, Subscriber


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(EraseOnRequest, ReadOnly):
    list_display = ["email", "frequency", "status", "confirmed_at", "last_digest_at", "bounced_at"]
    list_filter = ["frequency"]
    search_fields = ["email"]
    exclude = ["key"]
    actions = ["erase_people"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly):
    list_display = [
        "to_email",
        "kind",
        "status",
        "clip_count",
        "attempts",
        "created_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["to_email", "message_id"]
    exclude = ["text_body", "html_body", "claim"]
