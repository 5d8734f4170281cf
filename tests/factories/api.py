from clipdesk.api.actions import create_token

from .archive import UserFactory


def api_token(user=None, **user_fields) -> str:
    """A new API token made through the real action: the token itself, as `clipdesk api-token` prints it.
    For `user`, or for a new user with `user_fields`."""
    return create_token(user or UserFactory(**user_fields))[1]


def bearer(token: str) -> dict:
    """Headers for the Django test client."""
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
