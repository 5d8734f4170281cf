"""Find and replace across a clip's lines, in one language, as subtitle editors offer it.

`find_changes` is the preview: every line that would change, before and after, with the words that
change marked. Nothing is saved here; `actions.replace_in_lines` saves the lines a person chose from the
preview through `edit_segment`, so each keeps its version check, its undo step and, on a published clip,
its place in the pending revision. The text looked for is plain text, never a pattern: "[all]" finds
the brackets a transcript uses, not a character class.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString

from clipdesk.archive.models import Clip

from .diff import word_diff
from .models import Revision, RevisionEdit, Segment

# The language a person picks -> the line's field that holds it.
LANGUAGES = {"original": "original_text", "english": "english_text"}
LANGUAGE_LABELS = [("original", "Original"), ("english", "English")]
MAX_FIND = 200


@dataclass
class Change:
    segment: Segment
    before: str
    after: str
    count: int

    @property
    def diff(self) -> SafeString:
        return word_diff(self.before, self.after)


def field_for(language: str) -> str:
    try:
        return LANGUAGES[language]
    except KeyError:
        raise ValidationError("Choose the original or the English lines.") from None


def pattern(find: str, *, match_case: bool = False, whole_words: bool = False) -> re.Pattern:
    if not find:
        raise ValidationError("Say what to find.")
    if len(find) > MAX_FIND:
        raise ValidationError(f"Find at most {MAX_FIND} characters at a time.")
    text = re.escape(find)
    if whole_words:
        text = rf"(?<!\w){text}(?!\w)"
    return re.compile(text, 0 if match_case else re.IGNORECASE)


def current_texts(clip: Clip, field: str, segments: list[Segment]) -> dict[int, str]:
    """The text each line holds for its editors: on a published clip, what the pending revision has."""
    texts = {segment.pk: getattr(segment, field) for segment in segments}
    if clip.status == Clip.Status.PUBLISHED:
        pending = RevisionEdit.objects.filter(
            revision__clip=clip, revision__status=Revision.Status.PENDING, field=field, segment__isnull=False
        )
        texts.update(pending.values_list("segment_id", "after"))
    return texts


def find_changes(
    clip: Clip,
    *,
    language: str,
    find: str,
    replace: str,
    match_case: bool = False,
    whole_words: bool = False,
    segments: list[Segment] | None = None,
) -> list[Change]:
    """Every line of `clip` whose `language` text would change, in order."""
    field = field_for(language)
    found = pattern(find, match_case=match_case, whole_words=whole_words)
    if segments is None:
        segments = list(clip.segments.in_order())
    texts = current_texts(clip, field, segments)
    changes = []
    for segment in segments:
        before = texts[segment.pk] or ""
        after, count = found.subn(lambda _match: replace, before)
        if count and after != before:
            changes.append(Change(segment, before, after, count))
    return changes
