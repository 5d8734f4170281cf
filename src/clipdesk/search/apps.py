from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "clipdesk.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
