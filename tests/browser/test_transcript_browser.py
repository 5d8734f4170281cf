"""What only a browser shows: captions load, lines seek, ?t= starts the player, the editor saves and refuses conflicts."""

import pytest

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts import actions
from clipdesk.transcripts.models import Segment
from factories.media import attach_test_video
from support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published_clip(timed_clip, tmp_path, media_root):
    attach_test_video(timed_clip, tmp_path, seconds=8)
    return archive_actions.publish_clip(timed_clip, user=None, number=4242)


def current_time(page) -> float:
    return page.evaluate("document.getElementById('player').currentTime")


def test_video_loads_with_both_caption_tracks(page, live_server, published_clip, screenshot):
    page.goto(live_server.url + published_clip.get_absolute_url())
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    tracks = page.evaluate(
        """async () => {
            const video = document.getElementById('player');
            const tracks = Array.from(video.textTracks);
            tracks.forEach((t) => { t.mode = 'hidden'; });
            for (let i = 0; i < 50 && tracks.some((t) => !t.cues || !t.cues.length); i++) {
                await new Promise((r) => setTimeout(r, 100));
            }
            return tracks.map((t) => [t.language, t.kind, t.cues.length, t.cues[1].text]);
        }"""
    )
    assert tracks == [
        ["en", "captions", 4, "<v Ali Hassan>Thank you [all] for having me.</v>"],
        ["ar", "captions", 4, "<v Ali Hassan>شكرا [لكم] على الاستضافة</v>"],
    ]
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(8, abs=0.2)
    screenshot(page, "clip-page")
    assert page.console_errors == []


def test_clicking_a_line_seeks_there_and_highlights_it(page, live_server, published_clip):
    page.goto(live_server.url + published_clip.get_absolute_url())
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    page.click("#line-3 button.seek")
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 4.0) < 0.3")
    page.evaluate("document.getElementById('player').pause()")
    page.click("#line-4 .english")
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 6.0) < 0.3")
    page.wait_for_selector("#line-4.speaking")
    assert page.get_attribute("#line-4", "aria-current") == "true"


@pytest.mark.parametrize(("query", "seconds"), [("t=5", 5.0), ("t=0:03", 3.0)])
def test_t_parameter_starts_at_that_moment(page, live_server, published_clip, query, seconds):
    page.goto(f"{live_server.url}{published_clip.get_absolute_url()}?{query}")
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {seconds}) < 0.3")
    assert current_time(page) == pytest.approx(seconds, abs=0.3)


def test_an_edit_survives_a_reload(page, live_server, timed_clip, roles, screenshot):
    login(page, live_server, roles["translator"])
    url = f"{live_server.url}/staff/clips/id:{timed_clip.pk}/edit/"
    page.goto(url)
    field = page.locator("#line-2 textarea[data-field=english_text]")
    field.fill("Thank you all for having me here.")
    page.wait_for_function("() => document.querySelector('#line-2').dataset.state === 'saved'")
    page.reload()
    assert (
        page.locator("#line-2 textarea[data-field=english_text]").input_value()
        == "Thank you all for having me here."
    )
    segment = Segment.objects.get(clip=timed_clip, position=1)
    assert (segment.english_text, segment.version) == ("Thank you all for having me here.", 2)
    screenshot(page, "editor")


def test_a_conflicting_edit_is_refused_and_both_versions_shown(
    page, live_server, timed_clip, roles, screenshot
):
    login(page, live_server, roles["translator"])
    page.goto(f"{live_server.url}/staff/clips/id:{timed_clip.pk}/edit/")
    segment = Segment.objects.get(clip=timed_clip, position=2)
    actions.edit_segment(segment.pk, user=roles["editor"], version=1, english_text="Edited elsewhere.")
    page.locator("#line-3 textarea[data-field=english_text]").fill("My own edit.")
    page.wait_for_function("() => document.querySelector('#line-3').dataset.state === 'conflict'")
    box = page.locator("#line-3 .conflict")
    assert box.is_visible()
    text = box.inner_text()
    assert "Edited elsewhere." in text and "My own edit." in text
    screenshot(page, "editor-conflict")
    assert Segment.objects.get(pk=segment.pk).english_text == "Edited elsewhere."
    box.get_by_role("button", name="Save mine over it").click()
    page.wait_for_function("() => document.querySelector('#line-3').dataset.state === 'saved'")
    assert Segment.objects.get(pk=segment.pk).english_text == "My own edit."
