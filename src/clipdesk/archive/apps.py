from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(**kwargs) -> None:
    """post_migrate receiver: the database cache's table exists wherever the database does."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        call_command("createcachetable", verbosity=0)


class ArchiveConfig(AppConfig):
    name = "clipdesk.archive"
    label = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        post_migrate.connect(create_cache_table, dispatch_uid="clipdesk-cache-table")
        from . import invalidation

        invalidation.connect()
