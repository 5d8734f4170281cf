from django.apps import AppConfig


class InquiriesConfig(AppConfig):
    name = "clipdesk.inquiries"
    label = "inquiries"
