"""Query parameters of the public archive pages: a value that is not one answers 400, never a server error."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from clipdesk.archive import actions
from factories.archive import ClipFactory
from factories.media import attach_test_video

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000  # int() refuses more than 4,300 digits with ValueError


@pytest.fixture
def anonymous() -> Client:
    """Answers as production would: an exception in a view becomes a 500 response, not a test error."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("year", ["²", "٢٠٢١", "99999", "0", "-1", "2021.5", "abc", HUGE])
def test_a_year_that_is_not_a_year_is_400_naming_it(anonymous, year):
    response = anonymous.get("/clips/", {"year": year})
    assert response.status_code == 400
    assert "?year= must be a year from 1 to 9999" in response.content.decode()


def test_a_good_year_or_none_lists_clips(anonymous):
    actions.publish_clip(ClipFactory(title="Aired in 2021"), user=None)
    assert "Aired in 2021" in anonymous.get("/clips/", {"year": "2021"}).content.decode()
    assert "Aired in 2021" not in anonymous.get("/clips/", {"year": "2020"}).content.decode()
    assert anonymous.get("/clips/", {"year": ""}).status_code == 200  # the form's "All"


@pytest.fixture
def playable(timed_clip, settings, tmp_path):
    """A published clip with timed lines and a video: its page and its embed have a player."""
    settings.MEDIA_ROOT = tmp_path / "media"
    attach_test_video(timed_clip, tmp_path, seconds=1)
    return actions.publish_clip(timed_clip, user=None, number=777)


def player(response) -> dict:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("video#player").attrs


@pytest.mark.parametrize("moment", ["²", "1:²", "٧٢", HUGE, f"1:{HUGE}", "1:2:3:4", "-5"])
def test_an_unreadable_moment_is_ignored_like_any_other(anonymous, playable, moment):
    """A shared link with a moment we cannot read still opens the clip, from the start (as `?t=x` always did)."""
    assert "data-start-at" not in player(anonymous.get(playable.get_absolute_url(), {"t": moment}))
    embedded = player(anonymous.get("/embed/777/", {"t": moment, "end": moment}))
    assert "data-start-at" not in embedded and "data-end-at" not in embedded


def test_readable_moments_still_open_the_player_there(anonymous, playable):
    assert player(anonymous.get(playable.get_absolute_url(), {"t": "1:02:03"}))["data-start-at"] == "3723"
    embedded = player(anonymous.get("/embed/777/", {"t": "1:12", "end": "95s"}))
    assert (embedded["data-start-at"], embedded["data-end-at"]) == ("72", "95")


@pytest.mark.parametrize("path", ["/clips/{n}/", "/clips/{n}/slug/", "/embed/{n}/", "/clips/{n}.json"])
def test_a_clip_number_beyond_any_column_is_404(anonymous, path):
    assert anonymous.get(path.format(n=10**30)).status_code == 404
