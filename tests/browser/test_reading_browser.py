"""Reading a clip as readers expect from the best players: the transcript follows the video in its own
pane, a phone shows one column under a pinned player, and the keyboard moves line by line."""

from pathlib import Path

import pytest

from clipdesk.archive import actions as archive_actions
from factories.archive import ClipFactory
from factories.media import attach_test_video
from factories.transcripts import SegmentFactory, SpeakerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
LAPTOP = {"width": 1366, "height": 700}
PHONE = {"width": 390, "height": 844}
LINES = 40


@pytest.fixture
def long_clip(tmp_path, media_root):
    """A published bilingual clip of forty one-second lines: longer than any screen."""
    clip = ClipFactory(title="A long bilingual interview", duration_ms=LINES * 1000)
    host = SpeakerFactory(clip=clip, label="Host", role="host", position=0)
    guest = SpeakerFactory(clip=clip, label="Guest", position=1)
    for n in range(LINES):
        SegmentFactory(
            clip=clip,
            position=n,
            start_ms=n * 1000,
            end_ms=(n + 1) * 1000,
            speaker=host if n % 4 == 0 else guest,
            original_text=f"هذا هو السطر رقم {n + 1} من المقابلة عن الحرارة في المدينة",
            original_language="ar",
            english_text=f"This is line number {n + 1} of the interview, about the heat in the city.",
        )
    attach_test_video(clip, tmp_path, seconds=LINES)
    return archive_actions.publish_clip(clip, user=None, number=5151)


def open_clip(page, live_server, clip, query=""):
    page.goto(live_server.url + clip.get_absolute_url() + query)
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")


def play_at(page, seconds: float) -> None:
    """Move the player as playing does (a timeupdate at that moment), without waiting in real time."""
    page.evaluate(
        """(s) => { const v = document.getElementById('player'); v.pause(); v.currentTime = s;
                    v.dispatchEvent(new Event('timeupdate')); }""",
        seconds,
    )


def in_view(page, selector: str) -> bool:
    """Whether the element is wholly inside the window and not under the pinned player."""
    return page.evaluate(
        """(sel) => {
            const r = document.querySelector(sel).getBoundingClientRect();
            const player = document.querySelector('.player').getBoundingClientRect();
            const pane = document.querySelector('.transcript-pane').getBoundingClientRect();
            const overlapsPlayer = player.left < r.right && player.right > r.left && player.bottom > r.top
                && player.top < r.bottom;
            return r.top >= 0 && r.bottom <= window.innerHeight && !overlapsPlayer
                && r.top >= pane.top - 1 && r.bottom <= pane.bottom + 1;
        }""",
        selector,
    )


def video_in_view(page) -> bool:
    return page.evaluate(
        """() => { const r = document.querySelector('.player video').getBoundingClientRect();
                   return r.top >= -1 && r.bottom <= window.innerHeight + 1; }"""
    )


def scroll_to_transcript(page) -> None:
    """Scroll the page as a reader does to start reading: the transcript's heading at the top of the window."""
    page.evaluate("document.querySelector('.transcript').scrollIntoView({block: 'start'})")


def page_scroll(page) -> float:
    return page.evaluate("window.scrollY")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_spoken_line_stays_in_view_in_its_own_pane(
    new_page, live_server, long_clip, viewport, screenshot
):
    page = new_page(viewport=viewport)
    open_clip(page, live_server, long_clip)
    if viewport is PHONE:  # a reader on a phone scrolls to the transcript; the player stays pinned above it
        scroll_to_transcript(page)
    before = page_scroll(page)
    for second in (12.5, 27.5, 38.5):
        play_at(page, second)
        line = f"#line-{int(second) + 1}"
        page.wait_for_selector(f"{line}.speaking")
        assert in_view(page, line), f"{line} is out of view at {second}s"
        assert video_in_view(page), "the video scrolled away"
    assert page_scroll(page) == before, "the page scrolled; only the transcript pane may"
    screenshot(page, f"clip-follow-{'laptop' if viewport is LAPTOP else 'phone'}")
    assert page.console_errors == []


def test_scrolling_away_stops_following_and_the_follow_control_brings_it_back(
    new_page, live_server, long_clip
):
    page = new_page(viewport=LAPTOP)
    open_clip(page, live_server, long_clip)
    follow = page.get_by_role("button", name="Follow the video")
    assert follow.get_attribute("aria-pressed") == "true"
    play_at(page, 30.5)
    page.wait_for_selector("#line-31.speaking")
    assert in_view(page, "#line-31")
    # The reader scrolls the transcript back to the top to read something else.
    page.locator(".transcript-pane").hover()
    page.mouse.wheel(0, -5000)
    page.wait_for_function("() => document.querySelector('.transcript-pane').scrollTop === 0")
    page.wait_for_function(
        "() => document.querySelector('button.follow').getAttribute('aria-pressed') === 'false'"
    )
    play_at(page, 32.5)
    page.wait_for_selector("#line-33.speaking")
    assert page.evaluate("document.querySelector('.transcript-pane').scrollTop") == 0, (
        "it pulled the reader back"
    )
    follow.click()
    assert follow.get_attribute("aria-pressed") == "true"
    assert in_view(page, "#line-33")


def test_a_phone_shows_one_column_the_original_above_its_english(
    new_page, live_server, long_clip, screenshot
):
    page = new_page(viewport=PHONE)
    open_clip(page, live_server, long_clip)
    boxes = page.evaluate(
        """() => ['.original', '.english'].map((s) => {
            const r = document.querySelector('#line-2 ' + s).getBoundingClientRect();
            return {left: r.left, top: r.top, bottom: r.bottom, width: r.width};
        })"""
    )
    original, english = boxes
    assert original["width"] > 300 and english["width"] > 300, boxes
    assert original["bottom"] <= english["top"], "the original is not above its English"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "clip-phone")


def test_tapping_a_line_on_a_phone_keeps_the_video_in_view(new_page, live_server, long_clip):
    page = new_page(viewport=PHONE, has_touch=True)
    open_clip(page, live_server, long_clip)
    scroll_to_transcript(page)
    page.locator("#line-6 .english").tap()
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 5.0) < 0.3")
    assert video_in_view(page), "tapping a line scrolled the video away"
    # What the reader sees (not the whole page): the video pinned above the transcript.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "clip-phone-pinned.png"))


def test_arrow_keys_move_between_lines_and_enter_plays(page, live_server, long_clip):
    open_clip(page, live_server, long_clip)
    stops = page.evaluate(
        """() => Array.from(document.querySelectorAll('.transcript-pane .line')).map((line) =>
            Array.from(line.querySelectorAll('button.seek')).filter((b) => b.tabIndex >= 0).length
            + (line.tabIndex >= 0 ? 1 : 0))"""
    )
    assert stops == [1] * LINES, "each line should be one tab stop, not the line and its time button"
    page.focus("#line-1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "line-3"
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "line-2"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == f"line-{LINES}"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 1.0) < 0.3")
    page.wait_for_selector("#line-2.speaking")


def current_time(page) -> float:
    return page.evaluate("document.getElementById('player').currentTime")


def test_find_in_this_clip_steps_through_matches_in_both_languages_and_plays_them(
    page, live_server, long_clip, screenshot
):
    open_clip(page, live_server, long_clip)
    box = page.get_by_role("searchbox", name="Find in this clip")
    status = page.locator(".find-status")
    box.fill("NUMBER 2")  # lines 2 and 20 to 29, whatever the case
    assert status.inner_text() == "11 lines: press Enter to play the first"
    box.press("Enter")
    assert status.inner_text() == "1 of 11 lines"
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 1.0) < 0.3")
    page.get_by_role("button", name="Next match").click()
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 19.0) < 0.3")
    assert in_view(page, "#line-20.found-current")
    box.press("Shift+Enter")
    box.press("Shift+Enter")  # back past the first match: round to the last
    assert status.inner_text() == "11 of 11 lines"
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 28.0) < 0.3")
    assert in_view(page, "#line-29")
    screenshot(page, "clip-find")
    # Arabic as the archive folds it: harakat ignored, Arabic-Indic digits read as digits.
    box.fill("رَقْم ١٢")
    assert status.inner_text() == "1 line: press Enter to play the first"
    box.press("Enter")
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 11.0) < 0.3")
    box.fill("no such words")
    assert status.inner_text() == "Not in this clip"
    assert page.evaluate("document.querySelectorAll('.line.found').length") == 0
    assert page.console_errors == []


def test_the_page_folds_text_as_the_archive_search_does(page, live_server, long_clip):
    from clipdesk.search.normalize import TABLE, normalize

    open_clip(page, live_server, long_clip)
    samples = [chr(code) for code in TABLE] + ["أَحْمَدُ", "Béyrouth", "ﻻ", "كتـــب", "گفت‌وگو", "İstanbul"]
    folded = page.evaluate("(texts) => texts.map((t) => clipdeskFold(t))", samples)
    assert folded == [normalize(s).lower() for s in samples]


def test_an_excerpt_link_plays_from_start_to_end_and_stops(page, live_server, long_clip):
    open_clip(page, live_server, long_clip, "?t=3&end=5")
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 3.0) < 0.3")
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').paused", timeout=6000)
    assert 5.0 <= current_time(page) < 5.6
    assert page.console_errors == []


def test_selecting_lines_shares_and_cites_exactly_them(page, live_server, long_clip, screenshot, settings):
    settings.CLIPDESK_BASE_URL = live_server.url  # the citation's link is absolute
    open_clip(page, live_server, long_clip)
    page.evaluate(
        """() => { const range = document.createRange();
                   range.setStart(document.querySelector('#line-4 .english').firstChild, 3);
                   range.setEnd(document.querySelector('#line-6 .english').firstChild, 10);
                   const s = document.getSelection(); s.removeAllRanges(); s.addRange(range); }"""
    )
    page.wait_for_function("() => document.querySelector('form.excerpt [name=to]').value === '6'")
    assert page.input_value("form.excerpt [name=from]") == "4"
    page.get_by_role("button", name="Quote and cite these lines").click()
    page.wait_for_url("**/clips/5151/lines/4-6/")
    quote = page.locator("blockquote").inner_text()
    assert "line number 4 " in quote and "line number 6 " in quote and "line number 7 " not in quote
    assert "at 0:03\u20130:06." in page.locator("#citation").inner_text()
    screenshot(page, "excerpt-quote")
    page.get_by_role("link", name="Play this excerpt").click()
    page.wait_for_url("**/clips/5151/a-long-bilingual-interview/?t=3&end=6#line-4")
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 3.0) < 0.3")
    assert page.get_attribute("#player", "data-end-at") == "6"
