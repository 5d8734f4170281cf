"""The search page. Every choice (query, facets, dates, sort, page) lives in the URL."""

import datetime as dt
from functools import lru_cache, partial
from urllib.parse import quote_plus, urlencode

from django.http import QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clipdesk.caching import public, tag
from clipdesk.params import whole_number

from . import services
from .interfaces import FACETS, Filters
from .render import facets_html, results_html

FACET_TITLES = {
    "channel": "Channel",
    "country": "Country",
    "topic": "Topic",
    "person": "Person or organisation",
    "lang": "Language",
    "year": "Year",
}
LIST_FACETS = ("channel", "country", "topic", "person", "lang")
MAX_VALUES = 20  # per facet in the URL; more is not a reader's search
FILTER_PARAMS = (*LIST_FACETS, "from", "to")
# Shown on the empty search page: one of each kind of search the query language has.
EXAMPLES = (
    {"q": "peace talks", "what": "both words, in any form"},
    {"q": '"peace talks"', "what": "the words together, exactly"},
    {"q": "حرارة", "what": "Arabic finds its forms too (الحرارة, بالحرارة)"},
    {"q": "Hezbollah OR Hizbullah", "what": "either spelling"},
    {"q": "speaker:Nasrallah", "what": "lines one person spoke"},
)


def _values(params: QueryDict, name: str) -> tuple[str, ...]:
    """A facet's chosen values, without repeats or control characters (which no slug holds)."""
    values = (v for v in params.getlist(name) if v and v.isprintable())
    return tuple(dict.fromkeys(values))[:MAX_VALUES]


def _date(params: QueryDict, name: str, notes: list[str]) -> dt.date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        notes.append(f"{value!r} is not a date like 2021-05-28; the date range ignores it.")
        return None


def _page(params: QueryDict, notes: list[str]) -> int:
    value = params.get("page", "1")
    page = whole_number(value)
    if page is None or not 0 < page < 10_000:
        notes.append(f"{value[:20]!r} is not a page number; this is the first page.")
        return 1
    return page


def url_with(params: QueryDict, **changes) -> str:
    """The current search's URL query with some parameters changed (a list value sets all of a
    repeated one, None removes it); the page always starts again unless it is changed."""
    pairs = [(k, v) for k, values in params.lists() if k != "page" and k not in changes for v in values]
    for name, value in changes.items():
        if isinstance(value, list | tuple):
            pairs += [(name, str(v)) for v in value]
        elif value is not None:
            pairs.append((name, str(value)))
    return "?" + urlencode(pairs)


@lru_cache(maxsize=4096)
def _pair(key: str, value: str) -> str:
    # Facet values are a few hundred slugs, met again on every search: quote each once.
    return f"{quote_plus(key)}={quote_plus(value)}"


def _encode(pairs) -> str:
    return "&".join(_pair(k, v) for k, v in pairs)


def _facet_links(results: services.SearchResults, params: QueryDict) -> list[dict]:
    """Each facet's values with the URL that adds the value to the search, or takes it out."""
    facets = []
    for name in FACETS:
        values = results.facets.get(name, [])
        if not values:
            continue
        changed = ("from", "to") if name == "year" else (name,)
        # The parameters this facet leaves alone, encoded once for all its links.
        kept = _encode((k, v) for k, vs in params.lists() if k != "page" and k not in changed for v in vs)
        chosen = params.getlist(name)
        links = []
        for facet in values:
            if name == "year":
                span = (f"{facet.value}-01-01", f"{facet.value}-12-31")
                selected = (params.get("from"), params.get("to")) == span
                own = [] if selected else list(zip(changed, span, strict=True))
            else:
                selected = facet.selected
                own = [(name, v) for v in chosen if v != facet.value] + (
                    [] if selected else [(name, facet.value)]
                )
            url = "?" + "&".join(part for part in (kept, _encode(own)) if part)
            links.append({"value": facet, "url": url, "selected": selected})
        if name == "year":
            links.sort(key=lambda link: link["value"].value, reverse=True)
        facets.append({"name": name, "title": FACET_TITLES[name], "values": links})
    return facets


def _chosen(results: services.SearchResults, params: QueryDict) -> list[dict]:
    """The facet values in the search, each with the URL that takes it out again."""
    chosen = []
    for name in LIST_FACETS:
        for value in results.facets.get(name, []):
            if value.selected:
                others = [v for v in params.getlist(name) if v != value.value]
                chosen.append(
                    {
                        "title": FACET_TITLES[name],
                        "value": value.label,
                        "url": url_with(params, **{name: others}),
                    }
                )
    return chosen


@require_GET
@public("search")
def search_page(request):
    tag("search")
    params = request.GET
    query = params.get("q", "")[:1000]
    notes: list[str] = []
    filters = Filters(
        **{name: _values(params, name) for name in LIST_FACETS},
        date_from=_date(params, "from", notes),
        date_to=_date(params, "to", notes),
    )
    sort = params.get("sort", "relevance")
    staff = request.user.is_authenticated and request.user.is_staff
    results = services.search(
        query,
        user=request.user,
        filters=filters,
        include_unpublished=staff and params.get("drafts") == "1",
        sort=sort,
        page=_page(params, notes),
    )
    results.notes[:0] = notes
    filtered = any(params.getlist(name) for name in FILTER_PARAMS)
    context = {
        "examples": EXAMPLES,
        "filtered": filtered,
        "clear_filters_url": url_with(params, **dict.fromkeys(FILTER_PARAMS)),
        "suggestion_url": url_with(params, q=results.suggestion) if results.suggestion else "",
        "q": query,
        "results": results,
        "results_html": partial(results_html, results),  # printed in its place, after the page's templates
        "asked": bool(query.strip()) or filters != Filters(),
        "facets_html": facets_html(_facet_links(results, params)),
        "chosen": _chosen(results, params),
        "staff": staff,
        "drafts": results.include_unpublished,
        "hidden": [(name, v) for name in (*LIST_FACETS, "from", "to") for v in params.getlist(name) if v],
        "sort_links": [
            {"label": label, "url": url_with(params, sort=key), "current": results.sort == key}
            for key, label in (("relevance", "Relevance"), ("date", "Newest first"))
        ],
        "previous_url": url_with(params, page=results.page - 1) if results.has_previous else "",
        "next_url": url_with(params, page=results.page + 1) if results.has_next else "",
        "date_from": params.get("from", ""),
        "date_to": params.get("to", ""),
        "clear_dates_url": url_with(params, **{"from": None, "to": None}),
    }
    return render(request, "search/search.html", context)
