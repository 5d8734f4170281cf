from . import tags


def page(request) -> dict:
    """`public_page`: this page is the same for every anonymous reader, so it shows them no messages."""
    return {"public_page": tags.is_public_page()}
