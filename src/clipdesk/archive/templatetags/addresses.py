"""`{% numbered_url 'transcripts:line' clip.number line %}`: `{% url %}` for patterns of whole numbers,
without a reverse() each time (see clipdesk.archive.addresses); for the links a page repeats on every line.
`{% kept_url 'archive:home' %}`: `{% url %}` for an address without arguments, such as the links every
page's header and footer carry, made once per URL configuration."""

from django import template

from clipdesk.archive.addresses import cached_reverse, fill, number_pieces

register = template.Library()


@register.simple_tag(takes_context=True)
def numbered_url(context, viewname: str, *numbers: int | str) -> str:
    """Each number an int, or its digits as text (`position|add:1|stringformat:"d"`). The pattern's
    pieces are looked up once for each page rendered (its render context), not once for each line."""
    key = (__name__, viewname, len(numbers))
    if key not in context.render_context:
        context.render_context[key] = number_pieces(viewname, len(numbers))
    return fill(viewname, context.render_context[key], tuple(_whole(n) for n in numbers))


def _whole(value: int | str) -> int | str:
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else value


@register.simple_tag
def kept_url(viewname: str) -> str:
    return cached_reverse(viewname)
