from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "clipdesk.donations"
    label = "donations"
