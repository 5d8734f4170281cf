"""oEmbed 1.0 (https://oembed.com/) for clip pages: other sites turn a clip's address into our player.

`/oembed?url=<a published clip's address>&format=json[&maxwidth=N][&maxheight=N]` answers a "video"
whose html is an <iframe> of the embeddable player, `/embed/<number>/`, carrying the address's
`?t=` and `&end=` along. As the specification says: 404 for an address that is not a published
clip, 501 for any format but json, and the player and its thumbnail fit maxwidth and maxheight (a
poster that does not fit is left out, since we do not resize images).
"""

import re
from collections.abc import Mapping
from urllib.parse import parse_qs, urlencode, urlsplit

import av
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.html import format_html

from clipdesk.archive.models import Clip
from clipdesk.caching import tag
from clipdesk.params import whole_number

WIDTH, HEIGHT = 640, 360  # the player's size unless the consumer asks for less; 16:9
MOMENT = re.compile(r"^[0-9]{1,6}(:[0-9]{1,2}){0,2}s?$")  # the player's ?t= and &end= forms
MAX_NUMBER = 2**31 - 1


class OEmbedError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def respond(params: Mapping[str, str], *, request_host: str) -> dict:
    """The oEmbed response for the query parameters `params`; OEmbedError with the status otherwise."""
    if params.get("format", "json") != "json":
        raise OEmbedError(501, "Only format=json is available.")
    url = params.get("url", "").strip()
    if not url:
        raise OEmbedError(400, "Give the address of a clip: ?url=...")
    maxwidth, maxheight = _positive(params, "maxwidth"), _positive(params, "maxheight")
    clip = clip_at(url, request_host=request_host)
    tag(f"clip-{clip.number}", f"channel-{clip.channel_id}")  # its title, channel, poster and player
    width, height = fit(WIDTH, HEIGHT, maxwidth, maxheight)
    base = settings.CLIPDESK_BASE_URL
    body = {
        "version": "1.0",
        "type": "video",
        "title": clip.title,
        "provider_name": settings.CLIPDESK_SITE_NAME,
        "provider_url": base + "/",
        "width": width,
        "height": height,
        "html": format_html(
            '<iframe src="{}" width="{}" height="{}" title="{}" allow="fullscreen; picture-in-picture" '
            'allowfullscreen loading="lazy"></iframe>',
            player_url(clip, url),
            width,
            height,
            f"{clip.reference} {clip.title}",
        ),
    }
    if clip.channel:
        body["author_name"] = clip.channel.source_label
        body["author_url"] = base + clip.channel.get_absolute_url()
    body.update(thumbnail(clip, maxwidth, maxheight))
    return body


def _positive(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    number = whole_number(value)
    if number is None or not 0 < number <= 100_000:
        raise OEmbedError(400, f"{name} must be a positive whole number of pixels.")
    return number


def clip_at(url: str, *, request_host: str) -> Clip:
    """The published clip whose page (or player) is at `url`, on this site; 404 for anything else."""
    parts = urlsplit(url)
    hosts = {urlsplit(settings.CLIPDESK_BASE_URL).netloc, request_host}
    if parts.scheme not in {"http", "https"} or parts.netloc not in hosts:
        raise OEmbedError(404, "That address is not on this site.")
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        match = None
    number = match.kwargs.get("number") if match and match.app_name == "archive" else None
    if not isinstance(number, int) or number > MAX_NUMBER:
        raise OEmbedError(404, "That address is not a clip's.")
    clip = Clip.objects.published().select_related("channel").filter(number=number).first()
    if clip is None:
        raise OEmbedError(404, f"There is no published clip #{number}.")
    return clip


def player_url(clip: Clip, url: str) -> str:
    query = parse_qs(urlsplit(url).query)
    moments = {k: query[k][0] for k in ("t", "end") if k in query and MOMENT.match(query[k][0])}
    player = f"{settings.CLIPDESK_BASE_URL}/embed/{clip.number}/"
    return f"{player}?{urlencode(moments)}" if moments else player


def fit(width: int, height: int, maxwidth: int | None, maxheight: int | None) -> tuple[int, int]:
    """Scale (width, height) down, keeping its proportions, until it fits the maxima."""
    maxwidth, maxheight = maxwidth or width, maxheight or height
    scale = min(1, maxwidth / width, maxheight / height)
    return max(1, min(maxwidth, round(width * scale))), max(1, min(maxheight, round(height * scale)))


def thumbnail(clip: Clip, maxwidth: int | None, maxheight: int | None) -> dict:
    media = clip.media.first()
    if media is None or not media.poster_url:
        return {}
    size = poster_size(media)
    if size is None or (maxwidth and size[0] > maxwidth) or (maxheight and size[1] > maxheight):
        return {}
    return {
        "thumbnail_url": settings.CLIPDESK_BASE_URL + media.poster_url,
        "thumbnail_width": size[0],
        "thumbnail_height": size[1],
    }


def poster_size(media) -> tuple[int, int] | None:
    """The poster image's width and height, read from its header with PyAV; None if it is unreadable."""
    try:
        with media.poster.open("rb") as handle, av.open(handle) as container:
            video = container.streams.video[0].codec_context
            return (video.width, video.height) if video.width and video.height else None
    except (OSError, IndexError, av.error.FFmpegError):
        return None
