"""HTML for the result list and the facets of the search page, the hottest markup of the site.

Written with f-strings and `html.escape`: every value from the archive or the URL goes through `_e`;
the highlighted lines come already escaped from the highlighter, with its <mark> tags as the only
markup. Twenty results with their lines and six facets cost a fraction of what the same markup costs
through the template engine or `format_html`, and the search page has a throughput target (see
bench/search_bench.py).
"""

from html import escape as _e

from django.utils.safestring import SafeString, mark_safe

from .services import ClipResult, Line, SearchResults

# "May 28, 2021", as the archive's pages print dates (the site is in English).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


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


def _meta(result: ClipResult) -> str:
    clip = result.listing
    parts = [f'<span class="clip-number">{_e(clip.reference)}</span>']
    if clip.channel_name:
        parts.append(f'<span class="clip-source">{_e(clip.source_label)}</span>')
    if clip.aired_on:
        parts.append(
            f'<time datetime="{clip.aired_on.isoformat()}">{MONTHS[clip.aired_on.month - 1]} {clip.aired_on.day}, {clip.aired_on.year}</time>'
        )
    if not clip.is_public:
        parts.append(f'<span class="clip-status">{_e(clip.status_label)}</span>')
    return " | ".join(parts)


def _result(result: ClipResult) -> str:
    clip = result.listing
    if result.lines:
        body = '<ul class="lines">' + "".join(_line(line) for line in result.lines) + "</ul>"
    elif clip.summary:
        words = clip.summary.split()
        body = f'<p class="summary">{_e(" ".join(words[:40]))}{" …" if len(words) > 40 else ""}</p>'
    else:
        body = ""
    return (
        f'<article class="search-result"><h3><a href="{_e(result.url)}">{_e(clip.title)}</a></h3>'
        f'<p class="clip-meta">{_meta(result)}</p>{body}</article>'
    )


def results_html(results: SearchResults) -> SafeString:
    if not results.clips:
        return mark_safe('<p class="empty">No clips match this search.</p>')
    return mark_safe("\n".join(_result(r) for r in results.clips))  # every value escaped above


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
