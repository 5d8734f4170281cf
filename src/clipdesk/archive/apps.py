from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArchiveConfig(AppConfig):
    name = "clipdesk.archive"
    label = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        from .roles import grant_everything_to_admin

        post_migrate.connect(grant_everything_to_admin, dispatch_uid="clipdesk-admin-role")
