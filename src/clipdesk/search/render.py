"""HTML for the facets of the search page: a few hundred links on every search.

Written with f-strings and `html.escape`: every value from the archive or the URL goes through `_e`.
Six facets of up to a few hundred values cost several times through the template engine what they
cost here, and the search page has a throughput target (see bench/search_bench.py). The results
themselves are a template fragment, `search/_result.html`, which prints a clip as the model does.
"""

from html import escape as _e

from django.utils.safestring import SafeString, mark_safe


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
