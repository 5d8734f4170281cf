"""The editor as a translator uses it: the edited line never under the video, source and target side
by side, a split at a word and its undo from the keyboard, no sideways scrolling on a phone."""

import pytest

from clipdesk.transcripts.models import Segment
from factories.archive import ClipFactory
from factories.media import attach_test_video
from factories.transcripts import SegmentFactory, SpeakerFactory
from support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERLAP = """([a, b]) => {
  const r = document.querySelector(a).getBoundingClientRect();
  const v = document.querySelector(b).getBoundingClientRect();
  return !(r.bottom <= v.top || r.top >= v.bottom || r.right <= v.left || r.left >= v.right);
}"""


@pytest.fixture
def long_clip(db, tmp_path, media_root):
    """A draft with media and fourteen Arabic lines, long enough to scroll under the video."""
    clip = ClipFactory(title="Long interview", duration_ms=28000)
    host = SpeakerFactory(clip=clip, label="Host", position=0)
    for position in range(14):
        SegmentFactory(
            clip=clip,
            position=position,
            start_ms=position * 2000,
            end_ms=position * 2000 + 2000,
            speaker=host,
            original_text="الباب مقفول من الداخل",
            original_language="ar",
            english_text="The door is locked from the inside.",
        )
    attach_test_video(clip, tmp_path, seconds=4)
    return clip


def test_split_line_is_beside_the_video_and_alt_z_undoes_it(page, live_server, long_clip, roles, screenshot):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server, roles["translator"])
    page.goto(f"{live_server.url}/staff/clips/id:{long_clip.pk}/edit/")
    original = page.locator("#line-10 textarea[data-field=original_text]")
    english = page.locator("#line-10 textarea[data-field=english_text]")
    # Source and target side by side.
    assert abs(original.bounding_box()["y"] - english.bounding_box()["y"]) < 2
    assert original.bounding_box()["x"] != english.bounding_box()["x"]
    original.click()
    original.evaluate("(box) => box.setSelectionRange(10, 10)")  # inside مقفول, nearer its end
    page.locator("#line-10 .split-form button").click()
    page.wait_for_load_state()
    assert long_clip.segments.count() == 15
    texts = list(long_clip.segments.order_by("position").values_list("original_text", flat=True))[9:11]
    assert texts == ["الباب مقفول", "من الداخل"]
    assert not page.evaluate(OVERLAP, ["#line-11", "#player"])
    assert not page.evaluate(OVERLAP, ["#line-10", "#player"])
    screenshot(page, "editor-split-beside-video")
    page.keyboard.press("Alt+z")
    page.wait_for_selector("text=Undone: split of line 10.")
    assert long_clip.segments.count() == 14
    assert Segment.objects.get(clip=long_clip, position=9).original_text == "الباب مقفول من الداخل"
    page.keyboard.press("Alt+Shift+z")
    page.wait_for_selector("text=Redone: split of line 10.")
    assert long_clip.segments.count() == 15
    assert page.console_errors == []


def test_on_a_phone_the_video_shrinks_and_the_focused_box_stays_below_it(
    new_page, live_server, long_clip, roles, screenshot
):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    login(page, live_server, roles["translator"])
    page.goto(f"{live_server.url}/staff/clips/id:{long_clip.pk}/edit/#line-9")
    tall = page.locator("#player").bounding_box()["height"]
    box = page.locator("#line-9 textarea[data-field=english_text]")
    box.focus()
    page.wait_for_timeout(400)  # the shrinking transition
    assert page.locator("#player").bounding_box()["height"] < tall
    assert not page.evaluate(OVERLAP, ["#line-9 textarea[data-field=english_text]", "#player"])
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "editor-phone-typing")


def test_find_and_replace_previews_every_change_then_saves_them(
    page, live_server, long_clip, roles, screenshot
):
    login(page, live_server, roles["translator"])
    page.goto(f"{live_server.url}/staff/clips/id:{long_clip.pk}/edit/")
    page.get_by_role("link", name="Find and replace").click()
    page.get_by_label("Original").check()
    page.get_by_label("Find", exact=True).fill("مقفول")
    page.get_by_label("Replace with").fill("مغلق")
    page.get_by_role("button", name="Preview changes").click()
    assert page.get_by_role("heading", name="14 lines will change").is_visible()
    assert page.locator(".replace-diff ins").first.inner_text() == "مغلق"
    screenshot(page, "editor-find-replace-preview")
    assert long_clip.segments.filter(original_text__contains="مغلق").count() == 0  # a preview saves nothing
    page.get_by_label("Line 2", exact=True).uncheck()
    page.get_by_role("button", name="Replace in the ticked lines").click()
    page.wait_for_url(f"**/staff/clips/id:{long_clip.pk}/edit/")
    texts = list(long_clip.segments.order_by("position").values_list("original_text", flat=True))
    assert texts[1] == "الباب مقفول من الداخل" and texts.count("الباب مغلق من الداخل") == 13
    assert page.locator("#line-3 textarea[data-field=original_text]").input_value() == "الباب مغلق من الداخل"
    assert "Undo edit of line 14" in page.locator("#undo-form button").inner_text()


def test_waveform_shows_the_sound_and_dragging_an_edge_sets_both_lines_times(
    page, live_server, long_clip, roles, screenshot
):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server, roles["translator"])
    page.goto(f"{live_server.url}/staff/clips/id:{long_clip.pk}/edit/")
    page.wait_for_selector("#waveform[data-ready=true]")
    assert long_clip.media.get().peaks  # computed by the server once, and kept
    drawn = page.evaluate(
        """() => {
            const c = document.getElementById('waveform');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let peaks = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] === 85 && data[i + 1] === 85) peaks += 1;
            return peaks;
        }"""
    )
    assert drawn > 500  # the tone's bars
    box = page.locator("#waveform").bounding_box()
    seconds = page.evaluate("() => Math.max(document.getElementById('player').duration || 0, 4)")
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 2 / seconds, y)  # the edge between lines 1 and 2
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 2.5 / seconds, y, steps=5)
    page.mouse.up()
    page.locator("#line-1 .line-state").get_by_text("Saved").wait_for()
    page.locator("#line-2 .line-state").get_by_text("Saved").wait_for()
    first, second = long_clip.segments.order_by("position")[:2]
    assert abs(first.end_ms - 2500) < 60 and second.start_ms == first.end_ms
    screenshot(page, "editor-waveform-drag")


def test_find_and_replace_preview_fits_a_phone(new_page, live_server, long_clip, roles, screenshot):
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, live_server, roles["translator"])
    page.goto(
        f"{live_server.url}/staff/clips/id:{long_clip.pk}/replace/?language=english&find=locked&replace=shut"
    )
    assert page.get_by_role("heading", name="14 lines will change").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "editor-find-replace-phone")
