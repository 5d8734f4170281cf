"""HTML for the results and the facets of the search page, the hottest markup of the site.

A result shows its clip through the template `search/_clip.html`, from a `Listing` that prints as
the `Clip` model does. The template engine takes longer to print that than the rest of the result
takes, so each clip's is kept once printed, keyed by everything it shows: the clip's columns (a
frozen `Listing`), its address and the language. A kept one is only ever what those values print: a
changed title or status is another key.

What changes with every search, the highlighted lines around the clip and the facets (a few hundred
links), is written here with f-strings and `html.escape`: every value from the archive or the URL
goes through `_e`, and the highlighted texts come escaped from the highlighter, with its <mark> tags
as the only markup. Through the template engine they cost more than the search itself, and the
search page has a throughput target (see bench/search_bench.py).
"""

from functools import lru_cache
from html import escape as _e

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from clipdesk.archive.models import ClipDisplay

from .services import ClipResult, Line, Listing, SearchResults

CLIP = "search/_clip.html"
SUMMARY_WORDS = 40  # of a result without matching lines


def clip_html(clip: ClipDisplay, url: str) -> SafeString:
    """What a result shows of its clip (a `Listing` or the `Clip` model: they print alike)."""
    return render_to_string(CLIP, {"clip": clip, "url": url})


@lru_cache(maxsize=4096)  # per process; a few hundred bytes each
def _kept_clip_html(clip: Listing, url: str, language: str | None) -> SafeString:
    return clip_html(clip, url)


def _line(line: Line) -> str:
    html = f'<li><a class="moment" href="{_e(line.url)}">{_e(line.label)}</a>'
    if line.speaker:
        html += f' <span class="speaker">{_e(line.speaker)}:</span>'
    if line.original_language.split("-")[0].lower() == "en":  # English speech is its own English: once
        text = line.english_html or line.original_html
        return html + (f' <span class="english" lang="en">{text}</span>' if text else "") + "</li>"
    if line.english_html:
        html += f' <span class="english" lang="en">{line.english_html}</span>'
    if line.original_html:
        html += f' <span class="original" lang="{_e(line.original_language)}" dir="auto">{line.original_html}</span>'
    return html + "</li>"


def _result(result: ClipResult, language: str | None) -> str:
    clip = result.listing
    if result.lines:
        body = '<ul class="lines">' + "".join(_line(line) for line in result.lines) + "</ul>"
    elif clip.summary:  # as the `truncatewords` filter of the clip pages cuts it
        body = f'<p class="summary">{_e(Truncator(clip.summary).words(SUMMARY_WORDS))}</p>'
    else:
        body = ""
    return f'<article class="search-result">{_kept_clip_html(clip, result.url, language)}{body}</article>'


def results_html(results: SearchResults) -> SafeString:
    """The results, one on each line: each its clip, then its best lines or else its summary."""
    if not results.clips:
        return mark_safe('<p class="empty">No clips match this search.</p>')
    language = get_language()
    return mark_safe("\n".join(_result(r, language) for r in results.clips))  # every value escaped


def facets_html(facets: list[dict]) -> SafeString:
    """Each facet's values with their counts, as links that add the value to the search or take it out."""
    selected = ' class="selected" aria-current="true"'
    sections = []
    for facet in facets:
        items = "".join(
            f'<li><a href="{_e(link["url"])}"{selected if link["selected"] else ""}>'
            f'{_e(link["value"].label)}</a> <span class="count">{link["value"].count}</span></li>'
            for link in facet["values"]
        )
        sections.append(f"<section><h2>{_e(facet['title'])}</h2><ul>{items}</ul></section>")
    return mark_safe("".join(sections))  # every value escaped above
