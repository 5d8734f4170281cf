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
def search_dir(settings, tmp_path):
    """Publishing indexes clips for search (when its commit callbacks run): in an index of the test's own."""
    settings.CLIPDESK_SEARCH_DIR = tmp_path / "search"
    return settings.CLIPDESK_SEARCH_DIR


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
