"""The search page's query count, pinned: the same for two results as for twenty, with facets, lines
and highlights (the clips and their lines are read in one query each, whatever the page holds).

Each count is taken at a second request: the first after a change reads the archive's names again
(people, aliases, channels, topics: `search.names`), once per process."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clipdesk.archive.models import Person

from .conftest import make_channel

pytestmark = pytest.mark.django_db

# the clips of the page as plain rows; their matching lines with speakers; and on PostgreSQL the engine's
# own three (the clips found, their best lines, the facets), which tantivy answers outside the database;
# and the versions of the page's cache tags (caching.tags)
SEARCH_PAGE_QUERIES = {"sqlite": 3, "postgresql": 6}


def clips_about_peace(make_clip, count: int, start: int) -> None:
    speaker = Person.objects.get_or_create(slug="speaker", defaults={"name": "A Speaker"})[0]
    for i in range(start, start + count):
        make_clip(
            f"Peace talks, round {i}",
            [("A Speaker", f"We spoke of peace, round {i}.", "سلام"), ("Host", "And then?", "")],
            channel=make_channel(f"Channel {i % 3}"),
            topics=[f"Topic {i % 4}"],
            speakers={"A Speaker": speaker},
        )


@pytest.mark.parametrize("url", ["/search/?q=peace", "/search/?q=peace&topic=topic-1&sort=date"])
def test_the_search_page_runs_the_same_queries_for_two_results_and_twenty(client, make_clip, url):
    clips_about_peace(make_clip, 2, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    clips_about_peace(make_clip, 30, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('class="search-result"') >= 5
    assert len(many) == len(few) <= SEARCH_PAGE_QUERIES[connection.vendor], "\n".join(q["sql"] for q in many)
