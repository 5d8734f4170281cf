# ruff: noqa: RUF001, RUF002 - the Arabic and Persian letters here are the point
"""Text normalization shared by indexing and querying, whatever the engine. Django-free.

Arabic and Farsi are written with optional diacritics, several alef forms and letters that
Persian and Arabic keyboards encode differently, so the same word reaches the archive in many
spellings. Both sides of a search pass through `normalize` so that `احمد` finds `أحمد` and `كتب`
finds `كَتَبَ`:

- harakat (fatha, damma, kasra, tanwin, shadda, sukun, superscript alef, Quranic marks) and
  tatweel are removed;
- alef forms أ إ آ ٱ become ا; ى becomes ي; ة becomes ه; ؤ becomes و; ئ becomes ي;
- Persian ی and ک become Arabic ي and ك, and ۀ becomes ه;
- Arabic-Indic and Persian digits become ASCII digits;
- the zero-width non-joiner (Persian half-space) becomes a space, as Lucene's Persian filter does;
- Latin letters lose their accents (é → e), so "Beyrouth" and "Béyrouth" meet.

It is one `str.translate` over a precomputed table, plus NFKC for the rare text holding
presentation forms; `bench/search_bench.py` reports its speed.
"""

import re
import unicodedata

_DELETE = [
    *range(0x064B, 0x0660),  # fathatan .. wavy hamza below: the harakat
    0x0670,  # superscript alef
    *range(0x06D6, 0x06DD),  # Quranic annotation marks
    *range(0x06DF, 0x06E9),
    *range(0x06EA, 0x06EE),
    0x0640,  # tatweel
    *range(0x0300, 0x0370),  # combining diacritical marks left over from decomposed Latin
    0x200B,  # zero-width space
    0x200D,  # zero-width joiner
    0x200E,  # left-to-right mark
    0x200F,  # right-to-left mark
    0xFEFF,  # byte order mark
]

_FOLD = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ؤ": "و",
    "ئ": "ي",
    "ی": "ي",  # Persian yeh
    "ې": "ي",
    "ک": "ك",  # Persian keheh
    "ۀ": "ه",
    "\u200c": " ",  # zero-width non-joiner
}


def _latin_folds() -> dict[int, str]:
    """Accented Latin letters to their base letter: é → e, İ → I, ß stays (it has no base letter)."""
    table = {}
    for code in range(0x00C0, 0x0250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = base
    return table


def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = {code: None for code in _DELETE}
    table.update(_latin_folds())
    table.update({ord(k): v for k, v in _FOLD.items()})
    for digits in ("٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"):
        table.update({ord(d): str(i) for i, d in enumerate(digits)})
    return table


TABLE = _table()
_DELETED = frozenset(code for code, value in TABLE.items() if value is None)
# Letters, digits and marks: the same characters tantivy's simple tokenizer keeps together
# (Rust's char::is_alphanumeric), without the underscore that Python's \w adds.
TOKEN = re.compile(r"[^\W_]+")
# Tokens this long are dropped on both sides (tantivy's RemoveLongFilter counts UTF-8 bytes).
MAX_TOKEN_BYTES = 100


def normalize(text: str) -> str:
    """The folded form of `text`. Case is kept: the engines lowercase after tokenizing."""
    if not text or text.isascii():
        return text  # nothing in the table is ASCII
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(TABLE)


def tokens(text: str) -> list[str]:
    """The lowercased words of `text` after normalization, split as the engines split them."""
    return [
        t
        for t in TOKEN.findall(normalize(text).lower())
        if len(t) * 4 < MAX_TOKEN_BYTES or len(t.encode()) < MAX_TOKEN_BYTES
    ]


def index_text(text: str) -> str:
    """`text` as space-separated tokens: what the PostgreSQL parser sees, so it splits exactly like tantivy."""
    return " ".join(tokens(text))


def fold(text: str) -> str:
    """The lowercased, normalized text of `normalize_with_offsets`, without the offsets."""
    return text.lower() if text.isascii() else text.translate(TABLE).lower()


def offsets(text: str, folded: str) -> list[int] | None:
    """For each character of `folded` (= `fold(text)`), the index it came from in `text`; None when
    every character stayed in its place, as in all text without diacritics."""
    if len(folded) == len(text):  # nothing removed or widened
        return None
    # Some characters were removed (lowercasing never widens here: İ is folded to I first), and every
    # other character maps to exactly one: the kept positions are the map.
    return [i for i, ch in enumerate(text) if ord(ch) not in _DELETED]


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """The lowercased, normalized text and, for each of its characters, the index it came from in `text`.

    For highlighting: matches are found in the normalized text and marked in the original. NFKC is
    skipped here so that every output character maps to exactly one input character.
    """
    folded = fold(text)
    origin = offsets(text, folded)
    return folded, list(range(len(text))) if origin is None else origin


def is_removed(ch: str) -> bool:
    """True for characters normalization deletes (harakat, tatweel, leftover combining marks)."""
    return ord(ch) in _DELETED
