"""Public pages cached everywhere they can be: HTTP validators and Cache-Control, clipdesk's own page
cache, surrogate keys for a cache in front, and the purges that keep all of them exact.

Views say what kind of public page they answer (`public("page")`) and what they show (`tag("clip-8891")`);
writes say what changed (`invalidate("clip-8891")`, after commit). Nothing here imports a clipdesk app,
so every app may use it (README "Caching").
"""

from .actions import introduce, invalidate
from .tags import public, tag

__all__ = ["introduce", "invalidate", "public", "tag"]
