from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "clipdesk.operations"
    label = "operations"
    verbose_name = "Operations"
    # What `clipdesk repair` runs from this app; other apps add theirs the same way (see repair.py).
    repairers = (
        "clipdesk.operations.repair.cache_table",
        "clipdesk.operations.repair.search_index",
    )

    def ready(self) -> None:
        from clipdesk.privacy import register_eraser

        from . import checks  # noqa: F401  registers the system checks
        from .actions import erase_personal_data

        register_eraser(erase_personal_data)
