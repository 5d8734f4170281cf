"""Ending an account's other sessions, for when its way of signing in gets stronger.

Sessions are rows in the database (the `db` or `cached_db` engine; `checks` refuses any other), which
hold the signed-in user's id but are not indexed by it: the live ones are read, and those of the user
are deleted through the engine, so that a cached copy goes too. This runs only when a user turns
two-factor on, which is rare, so reading every live session is acceptable.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone


def session_store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def end_other_sessions(user, *, keep: str | None) -> int:
    """Delete every live session of `user` but the one whose key is `keep`; return how many ended."""
    store = session_store_class()
    sessions = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    ended = 0
    for session in sessions.exclude(session_key=keep or "").iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            store(session.session_key).delete()
            ended += 1
    return ended
