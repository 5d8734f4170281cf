from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clipdesk.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system check)
