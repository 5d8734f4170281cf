import pytest
from django.core.cache import cache

BASE = "https://clips.example"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counts live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_search_dir(search_dir):
    """Every test here indexes into a search index of its own (tests/conftest.py)."""


@pytest.fixture
def site(settings):
    settings.CLIPDESK_BASE_URL = BASE
    settings.CLIPDESK_SITE_NAME = "Clip Archive"
    return settings


@pytest.fixture
def transcript_clip(timed_clip):
    """The four-line bilingual clip, with a topic and a linked person, published."""
    from clipdesk.archive.actions import publish_clip
    from factories.archive import PersonFactory, TopicFactory

    timed_clip.topics.add(TopicFactory(name="Media", slug="media"))
    timed_clip.people.add(PersonFactory(name="Hizbullah", slug="hizbullah", kind="organisation"))
    return publish_clip(timed_clip, user=None)
