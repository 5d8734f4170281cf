"""What a transcript paragraph's "Label:" says about who speaks.

Django-free. Real pages label turns in many ways: a bare name (`Ibrahim Al-Amine:`), a name with a
description (`Syrian analyst Firas Haddad:`, `Iranian President Hassan Rouhani:`), a role in lower
case (`TV host:`), a group (`Demonstrators in Basra:`), an editor's note (`Note:`), and damaged
markup (`b>Dr. Samir ?Aziz:`). `read_label` tells them apart and says `None` for a colon that is
not a speaker label at all ("He said: ..."), so that narration is never mistaken for a person.
"""

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["person", "role", "group", "label", "editorial"]

MAX_LABEL = 200  # Speaker.label
MAX_DESCRIPTION = 300  # Speaker.description

# The last word of a role label ("TV host", "Al-Arabiya correspondent"), and the role it is.
ROLE_WORDS = {
    "host": "host",
    "presenter": "host",
    "moderator": "host",
    "anchor": "anchor",
    "newsreader": "anchor",
    "interviewer": "interviewer",
    "reporter": "reporter",
    "correspondent": "reporter",
}
# The first word of a group of speakers ("Demonstrators in Basra"): never a person.
GROUP_WORDS = {
    "crowd",
    "crowds",
    "audience",
    "protesters",
    "protestors",
    "demonstrators",
    "students",
    "children",
    "participants",
    "worshippers",
    "worshipers",
    "mourners",
    "supporters",
    "fighters",
    "soldiers",
    "chorus",
    "choir",
    "all",
    "everyone",
    "people",
    "guests",
    "spectators",
    "attendees",
    "men",
    "women",
    "boys",
    "girls",
}
# Labels that are a voice but not a person nor a group.
OTHER_LABELS = {
    "narrator",
    "voice",
    "voices",
    "voice-over",
    "caption",
    "text on screen",
    "on-screen text",
    "announcer",
    "video",
    "speaker",
    "caller",
    "sign",
    "unidentified man",
    "unidentified woman",
    "unidentified speaker",
    "man",
    "woman",
    "boy",
    "girl",
    "child",
    "translator",
    "interpreter",
}
EDITORIAL_LABELS = {"note", "editor's note", "editor\u2019s note", "editorial note", "nb", "n.b."}
# Words of an office that come before a name in title case: "Iranian President Hassan Rouhani".
OFFICE_WORDS = {
    "president",
    "vice-president",
    "minister",
    "prime",
    "deputy",
    "former",
    "senior",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "commander",
    "chief",
    "head",
    "leader",
    "secretary-general",
    "chairman",
    "director",
    "director-general",
    "editor",
    "editor-in-chief",
    "ambassador",
    "official",
    "member",
    "mp",
    "analyst",
    "journalist",
    "cleric",
    "preacher",
    "professor",
    "researcher",
    "expert",
    "activist",
    "host",
    "presenter",
    "reporter",
    "correspondent",
    "anchor",
    "speaker",
}
NAME_PARTICLES = {
    "al",
    "el",
    "bin",
    "ibn",
    "bint",
    "abu",
    "umm",
    "de",
    "da",
    "del",
    "der",
    "van",
    "von",
    "of",
    "the",
    "and",
    "for",
}
# Capitalised words that open a sentence or a heading, never a person's name alone.
NOT_NAMES = {
    "he",
    "she",
    "they",
    "we",
    "i",
    "it",
    "you",
    "this",
    "that",
    "these",
    "those",
    "then",
    "there",
    "here",
    "when",
    "after",
    "before",
    "in",
    "on",
    "at",
    "as",
    "and",
    "but",
    "so",
    "while",
    "the",
    "a",
    "an",
    "if",
    "because",
    "what",
    "who",
    "why",
    "how",
    "where",
    "yes",
    "no",
    "now",
    "today",
    "tonight",
    "meanwhile",
    "later",
    "however",
    "also",
    "for",
    "source",
    "intro",
    "introduction",
    "transcript",
    "summary",
    "update",
    "updated",
    "warning",
    "title",
    "date",
    "time",
    "length",
    "duration",
    "channel",
    "clip",
    "audio",
    "subject",
    "watch",
    "see",
    "read",
    "listen",
    "click",
    "follow",
    "share",
    "tags",
    "topics",
    "keywords",
    "posted",
    "aired",
    "related",
    "http",
    "https",
    "www",
    "quote",
    "example",
    "translation",
}
# Verbs that show a label is narration ("Then he said:"), not a description.
_SPEECH_VERBS = {
    "said",
    "says",
    "told",
    "asked",
    "asks",
    "added",
    "replied",
    "answered",
    "stated",
    "continued",
    "explained",
    "declared",
    "shouted",
    "chanted",
    "wrote",
    "says:",
    "responded",
    "interrupted",
    "claimed",
    "is",
    "was",
    "were",
    "are",
}
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,40}>|^/?[A-Za-z]{1,6}>|</?[A-Za-z]{0,6}$")
_LOST = re.compile(r"[?\ufffd]")
_PAREN = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<description>[^()]+)\)$")


@dataclass(frozen=True, slots=True)
class Label:
    """A speaker label, read."""

    kind: Kind
    name: str  # the person's name, or the label as printed for roles, groups and other voices
    description: str = ""  # "Syrian analyst": who the person was in this clip, as printed
    role: str = ""  # one of ROLE_WORDS' values
    damaged: str = ""  # the label as printed, when markup or lost characters were removed

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


def clean_markup(text: str) -> str:
    """Text without stray tags ('b>', '<i>') and lost characters ('?' or U+FFFD inside a word)."""
    text = _TAG.sub("", text)
    return " ".join(text.split())


def _clean(label: str) -> str:
    label = _TAG.sub("", label)
    label = _LOST.sub("", label)
    return " ".join(label.split()).strip(" -\u2013\u2014*_>")


def _fold(word: str) -> str:
    return word.strip("'\u2019.,").casefold()


def _is_name_word(word: str) -> bool:
    head = word.split("-")[0].strip("'’.").casefold()  # noqa: RUF001 - typographic apostrophes occur in names
    if head in NAME_PARTICLES:
        return True
    first = word[0]
    if not first.isalpha() or first.islower():
        return False
    if word.endswith(".") and len(word) > 4:  # "Dr." and "Gen." are fine; a sentence's end is not
        return False
    return not any(ch in word for ch in '!;,"“”')


def _is_name(words: list[str]) -> bool:
    if not 1 <= len(words) <= 7 or not all(_is_name_word(w) for w in words):
        return False
    if _fold(words[0]) in NAME_PARTICLES - {"al", "el", "abu", "umm", "bin", "ibn"}:
        return False
    if len(words) == 1 and (_fold(words[0]) in NOT_NAMES or len(words[0]) < 2):
        return False
    return not any(ch.isdigit() for w in words for ch in w)


def _is_description(words: list[str]) -> bool:
    if not 1 <= len(words) <= 12:
        return False
    if _fold(words[0]) in NOT_NAMES:
        return False
    return not any(_fold(w) in _SPEECH_VERBS or not w[0].isalnum() for w in words)


def _person(words: list[str], damaged: str) -> Label | None:
    """'Syrian analyst Firas Haddad' is Firas Haddad, a Syrian analyst."""
    start = len(words)
    while start > 0 and _is_name_word(words[start - 1]):
        start -= 1
    while start < len(words) and _fold(words[start]) in NAME_PARTICLES - {"al", "el", "abu", "umm"}:
        start += 1
    name = words[start:]
    # In a name written all in capitals, the description ends at its last office word, as long as
    # a name of two words or more remains: "Lebanese Hizbullah Secretary-General Hassan Nasrallah".
    for i in range(len(name) - 3, -1, -1):
        if _fold(name[i]) in OFFICE_WORDS:
            start, name = start + i + 1, name[i + 1 :]
            break
    description = words[:start]
    if not _is_name(name) or (description and not _is_description(description)):
        return None
    role = ROLE_WORDS.get(_fold(description[-1]), "") if description else ""
    return Label(
        "person",
        " ".join(name)[:MAX_LABEL],
        " ".join(description)[:MAX_DESCRIPTION],
        role=role,
        damaged=damaged,
    )


def read_label(printed: str) -> Label | None:
    """The speaker a label names, or None when the text before the colon is not a speaker label."""
    label = _clean(printed)
    damaged = printed if label != " ".join(printed.split()) else ""
    if not label or len(label) > 150:
        return None
    folded = label.casefold()
    if folded in EDITORIAL_LABELS:
        return Label("editorial", label)
    words = label.split()
    bare = [w for w in folded.split() if not w.isdigit()]  # "Caller 2"
    if not bare or any(ch in label for ch in '"“”«»[]{}<>=/\\|@#$%^*~`'):
        return None
    if " ".join(bare) in OTHER_LABELS:
        return Label("label", label[:MAX_LABEL], damaged=damaged)
    if bare[0] in GROUP_WORDS and (
        len(bare) == 1 or bare[1] in {"in", "of", "at", "from", "and", "chanting"}
    ):
        return Label("group", label[:MAX_LABEL], damaged=damaged)
    if bare[-1] in ROLE_WORDS and len(bare) <= 4 and bare[0] not in NOT_NAMES:
        return Label("role", label[:MAX_LABEL], role=ROLE_WORDS[bare[-1]], damaged=damaged)
    if "," in label:  # "Firas Haddad, Syrian analyst"
        name, _, description = label.partition(",")
        found = _person(name.split(), damaged)
        if found and not found.description and _is_description(description.split()):
            return Label("person", found.name, description.strip()[:MAX_DESCRIPTION], damaged=damaged)
        return None
    paren = _PAREN.match(label)
    if paren:  # "Firas Haddad (Syrian analyst)"
        found = _person(paren["name"].split(), damaged)
        if found and not found.description:
            return Label(
                "person", found.name, paren["description"].strip()[:MAX_DESCRIPTION], damaged=damaged
            )
        return None
    if any(ch in label for ch in "()"):
        return None
    return _person(words, damaged)
