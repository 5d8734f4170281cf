from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clipdesk.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"
