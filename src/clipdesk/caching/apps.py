from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_page_cache_table(**kwargs) -> None:
    """post_migrate receiver: the page cache's table exists wherever the database does."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.CACHES["pages"]["BACKEND"].endswith("DatabaseCache"):
        call_command("createcachetable", "pages", verbosity=0)


class CachingConfig(AppConfig):
    name = "clipdesk.caching"
    label = "caching"
    verbose_name = "Caching"

    def ready(self) -> None:
        post_migrate.connect(create_page_cache_table, dispatch_uid="clipdesk-page-cache-table")
