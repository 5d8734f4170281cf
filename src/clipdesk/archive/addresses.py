"""Addresses of public pages without a reverse() for each link.

reverse() was the dearest single call of the clip page: two addresses on each of its lines and one
for each speaker, a sixth of the page's time (bench/profile_pages.py). An address changes only with
the URL configuration, so:

- `cached_reverse` keeps each address it made, for those that recur across pages (a person's, a
  topic's, a clip's);
- `reverse_numbers` serves the many addresses of one page that differ only by whole numbers (each
  line's): it reverses the pattern once with marker numbers and then fills in the numbers.

Both are keyed by the URL configuration and the script prefix that reverse() reads, so an override of
either (a test's `urlconf`, a deployment under a path) gets its own addresses; and both give exactly
what reverse() gives, which tests check.
"""

import re
from functools import lru_cache

from django.urls import NoReverseMatch, Resolver404, get_resolver, get_script_prefix, get_urlconf, reverse

# Numbers no real address holds; whole numbers, so that every converter of a number accepts them.
_MARKS = (918_273_645_001, 918_273_645_002, 918_273_645_003)


def cached_reverse(viewname: str, *args: int | str) -> str:
    """`reverse(viewname, args=args)`, kept per URL configuration (at most 8,192 addresses)."""
    return _kept(viewname, args, get_resolver(get_urlconf()), get_script_prefix())


@lru_cache(maxsize=8192)  # a few hundred kilobytes at most
def _kept(viewname: str, args: tuple, resolver, prefix: str) -> str:
    return reverse(viewname, args=args)


def reverse_numbers(viewname: str, *numbers: int) -> str:
    """`reverse(viewname, args=numbers)` for a pattern whose arguments are all `<int:...>`: the pattern
    is reversed once, then each address is its pieces around the numbers. Anything else (another
    converter, a negative number, more than three) goes through reverse() itself."""
    return fill(viewname, number_pieces(viewname, len(numbers)), numbers)


def number_pieces(viewname: str, arity: int) -> tuple[str, ...] | None:
    """The address of `viewname` cut around its `arity` numbers, for `fill`, in the current URL
    configuration; None where that would not be exact. A page that prints many such addresses asks once."""
    return _pieces(viewname, arity, get_resolver(get_urlconf()), get_script_prefix())


def fill(viewname: str, pieces: tuple[str, ...] | None, numbers: tuple[int, ...]) -> str:
    """The address from `number_pieces(viewname, len(numbers))`, or from reverse() where those are None
    or a number is not a whole number (which reverse() refuses as it always did)."""
    if (
        pieces is None
        or len(pieces) != len(numbers) + 1
        or not all(type(n) is int and n >= 0 for n in numbers)
    ):
        return reverse(viewname, args=numbers)
    parts = [pieces[0]]
    for number, piece in zip(numbers, pieces[1:], strict=True):
        parts += (str(number), piece)
    return "".join(parts)


@lru_cache(maxsize=256)
def _pieces(viewname: str, arity: int, resolver, prefix: str) -> tuple[str, ...] | None:
    """The address of `viewname` cut around its `arity` numbers, or None where that would not be exact."""
    if not 0 < arity <= len(_MARKS):
        return None
    marks = _MARKS[:arity]
    try:
        url = reverse(viewname, args=marks)
    except NoReverseMatch:
        return None
    split = re.split("(" + "|".join(str(m) for m in marks) + ")", url)
    if split[1::2] != [str(m) for m in marks]:  # each number once, in order
        return None
    # The address must lead back to these numbers as numbers: the pattern's converters are <int:...>,
    # whose address for any whole number is its digits.
    try:
        match = resolver.resolve("/" + url.removeprefix(prefix))
    except Resolver404:
        return None
    if [*match.args, *match.kwargs.values()] != list(marks):
        return None
    return tuple(split[0::2])
