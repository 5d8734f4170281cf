"""Refuse to start with a session engine whose sessions cannot be ended (see `sessions`)."""

from django.core import checks

from .sessions import session_store_class


@checks.register(checks.Tags.security)
def sessions_can_be_ended(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if hasattr(session_store_class(), "get_model_class"):
        return []
    return [
        checks.Error(
            "SESSION_ENGINE must keep sessions in the database (db or cached_db): turning two-factor "
            "on signs the account out of its other sessions, which needs them listed.",
            id="clipdesk.E060",
        )
    ]
