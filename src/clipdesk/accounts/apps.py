from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "clipdesk.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system check)
        from .roles import grant_everything_to_admin

        post_migrate.connect(grant_everything_to_admin, dispatch_uid="clipdesk-admin-role")
