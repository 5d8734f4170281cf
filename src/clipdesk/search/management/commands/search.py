import json

from django.conf import settings
from django.core.management.base import BaseCommand
from rich.console import Console
from rich.text import Text

from clipdesk.search.services import SORTS, search


def _marked(html: str) -> Text:
    """The highlighter's HTML as terminal text, matches in bold."""
    from html import unescape

    text = Text()
    for i, part in enumerate(html.replace("</mark>", "<mark>").split("<mark>")):
        text.append(unescape(part), style="bold" if i % 2 else "")
    return text


class Command(BaseCommand):
    help = 'Search the archive as the search page does: clipdesk search "peace talks" [--json].'

    def add_arguments(self, parser):
        parser.add_argument(
            "query", metavar="QUERY", help="the search, in the query language of the search page"
        )
        parser.add_argument("--json", action="store_true", help="print the results as JSON")
        parser.add_argument("--sort", choices=SORTS, default="relevance", help="relevance (default) or date")
        parser.add_argument("--page", type=int, default=1, help="page of results, from 1")
        parser.add_argument("--drafts", action="store_true", help="include drafts and clips in review")

    def handle(self, *args, query, json: bool, sort, page, drafts, **options):
        results = search(query, user=None, include_unpublished=drafts, sort=sort, page=page)
        if json:
            self.stdout.write(_as_json(results))
            return
        console = Console(file=self.stdout, highlight=False, soft_wrap=True)
        for note in results.notes:
            console.print(f"note: {note}", style="yellow")
        console.print(f"{results.total} clip{'s' if results.total != 1 else ''}, page {results.page}")
        for result in results.clips:
            clip = result.clip
            meta = " | ".join(
                x for x in (clip.channel.source_label if clip.channel else "", str(clip.aired_on or "")) if x
            )
            console.print(
                Text(f"{clip.reference} {clip.title}", style="bold"), Text(f" ({meta})" if meta else "")
            )
            console.print(f"  {settings.CLIPDESK_BASE_URL}{clip.get_absolute_url()}")
            for line in result.lines:
                head = Text(f"  {line.timestamp or '--:--'} {line.speaker + ':' if line.speaker else ''}")
                console.print(head, _marked(line.english_html or line.original_html))


def _as_json(results) -> str:
    def line(item):
        return {
            "segment_id": item.segment_id,
            "start_ms": item.start_ms,
            "speaker": item.speaker,
            "english": item.english_text,
            "original": item.original_text,
            "original_language": item.original_language,
            "english_html": str(item.english_html),
            "original_html": str(item.original_html),
            "url": f"{settings.CLIPDESK_BASE_URL}{item.url}",
        }

    payload = {
        "query": results.query,
        "notes": results.notes,
        "total": results.total,
        "page": results.page,
        "has_next": results.has_next,
        "sort": results.sort,
        "clips": [
            {
                "id": r.clip.pk,
                "number": r.clip.number,
                "title": r.clip.title,
                "status": r.clip.status,
                "channel": r.clip.channel.name if r.clip.channel else None,
                "aired_on": r.clip.aired_on.isoformat() if r.clip.aired_on else None,
                "url": f"{settings.CLIPDESK_BASE_URL}{r.clip.get_absolute_url()}",
                "score": r.score,
                "lines": [line(item) for item in r.lines],
            }
            for r in results.clips
        ],
        "facets": {
            name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for name, values in results.facets.items()
        },
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)
