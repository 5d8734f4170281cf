"""The admin action that erases a person's data on request, offered on the lists of requests, reports,
donations and subscribers (select a row of that person, choose "Erase this person's data")."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from . import ERASE_PERMISSION, erase_on_request


class ConfirmErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label="Erase everything kept about these people's email addresses. This cannot be undone."
    )


class EraseOnRequest:
    """A ModelAdmin mixin: the action that erases the data of the people behind the selected rows.
    `email_field` names the field that holds each row's address; add "erase_people" to `actions`."""

    email_field = "email"

    @admin.action(description="Erase this person's data (on their request)", permissions=["erase"])
    def erase_people(self, request, queryset):
        form = ConfirmErasureForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/clipdesk/action_form.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase these people's data",
                    "objects": queryset,
                    "form": form,
                    "action": "erase_people",
                    "opts": self.model._meta,
                },
            )
        addresses = {getattr(row, self.email_field) for row in queryset} - {""}
        for email in sorted(addresses):
            try:
                report = erase_on_request(email, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"Not erased: {' '.join(exc.messages)}", messages.ERROR)
                continue
            done = ", ".join(f"{count} {kind}" for kind, count in report.counts.items() if count)
            self.message_user(
                request, f"Erased on request: {done or 'nothing left to erase'}.", messages.SUCCESS
            )
            for note in report.kept:
                self.message_user(request, note, messages.INFO)
        return None

    def has_erase_permission(self, request) -> bool:
        return request.user.has_perm(ERASE_PERMISSION)
