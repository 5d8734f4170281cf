"""axe-core on every public page, in Chromium, at desktop and phone sizes: no critical or serious
violation anywhere, and none of the moderate ones once found (heading order on the home and list pages,
two search landmarks of the same name on the search page, the embed page without landmarks or heading).

axe-core is vendored for the tests only (tests/browser/vendor/, with its licence), run in each page
through Playwright; nothing is fetched from a CDN. The figures are written to
var/test-artifacts/axe.json for the record.
"""

import json
from pathlib import Path

import pytest

from clipdesk.archive import actions as archive_actions
from factories.archive import PersonFactory, TopicFactory
from factories.media import attach_test_video

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
BLOCKING = {"critical", "serious"}
# Moderate findings the archive once had; each must stay gone.
ONCE_FOUND = {"heading-order", "landmark-unique", "landmark-one-main", "page-has-heading-one", "region"}
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def archive(timed_clip, tmp_path, media_root):
    """A small public archive: a bilingual clip with video, linked to a person, a topic and a channel."""
    person, topic = PersonFactory(name="Ali Hassan"), TopicFactory(name="Heat")
    timed_clip.people.add(person)
    timed_clip.topics.add(topic)
    attach_test_video(timed_clip, tmp_path, seconds=8)
    clip = archive_actions.publish_clip(timed_clip, user=None, number=4242)
    return {
        "home": "/",
        "clip list": "/clips/",
        "clip": clip.get_absolute_url(),
        "line": "/clips/4242/lines/2/",
        "excerpt": "/clips/4242/lines/2-3/",
        "embed": "/embed/4242/",
        "people": "/people/",
        "person": person.get_absolute_url(),
        "channels": "/channels/",
        "channel": clip.channel.get_absolute_url(),
        "topics": "/topics/",
        "topic": topic.get_absolute_url(),
        "search, empty": "/search/",
        "search, results": "/search/?q=interview",
        "search, nothing found": "/search/?q=zzzzqqq",
        "request a clip": "/requests/new/",
        "subscribe": "/subscribe/",
        "donate": "/donate/",
    }


def axe(page) -> list[dict]:
    # Evaluated by DevTools rather than added as a <script>: the page's own CSP, which refuses inline
    # scripts, stays in force while axe looks at it.
    page.evaluate(AXE_SOURCE)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5), count: v.nodes.length,
            }));
        }"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_accessibility_violation_on_any_public_page(new_page, live_server, archive, viewport):
    page = new_page(viewport=viewport)
    found: dict[str, list[dict]] = {}
    for name, url in archive.items():
        response = page.goto(live_server.url + url)
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("load")
        found[name] = axe(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = "desktop" if viewport is DESKTOP else "phone"
    (ARTIFACTS / f"axe-{size}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    failures = {
        name: [v for v in violations if v["impact"] in BLOCKING or v["id"] in ONCE_FOUND]
        for name, violations in found.items()
    }
    assert {name: v for name, v in failures.items() if v} == {}
