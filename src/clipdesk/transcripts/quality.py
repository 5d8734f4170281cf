"""Draft quality: how much of a machine draft people changed before (and since) publication.

The machine draft of a clip is the set of lines the ingest job wrote: their history entries of
creation, whose change reason is "ingest job N" (`actions.machine_draft_reason`, which ingest passes to
`actions.store_machine_transcript`). Lines split,
merged or added later are people's work, not the draft; the history keeps the draft even after its
lines change or go. A clip imported from a page or from subtitles, or typed by people, has no machine
draft, and is reported as such, never as 0%.

For each published clip with a draft, and each kind of text, the draft is compared with the text
readers see now (corrections included) as a word error rate: the words substituted, deleted and
inserted to turn the draft into the published text, over the published text's words. Words are
compared as written, so a changed spelling, capital or punctuation mark counts: this measures the
editing done, not only the recognition. Kinds: the transcript in each spoken language, and the
English translation of speech in other languages (English speech is its own English).
"""

from collections import defaultdict
from dataclasses import dataclass, field

import jiwer

from clipdesk.archive.models import Clip

from .models import Origin, Segment, spoken_in_english

DRAFT_REASON = "ingest job"
TRANSLATION = "translation"


@dataclass(slots=True)
class Score:
    """Word errors of the draft against `words` words of published text; adds up over clips."""

    words: int = 0
    errors: int = 0

    @property
    def rate(self) -> float | None:
        return self.errors / self.words if self.words else None

    def add(self, other: "Score") -> None:
        self.words += other.words
        self.errors += other.errors


@dataclass(slots=True)
class ClipQuality:
    clip: Clip
    has_draft: bool
    # ("transcript", "ar"), ("transcript", "en"), ("translation", "en"): Score
    scores: dict[tuple[str, str], Score] = field(default_factory=dict)


def _texts(lines, *, draft: bool) -> dict[tuple[str, str], list[str]]:
    """Each kind's text, line by line in order. `lines` are (language, original, english, english_origin)."""
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for language, original, english, english_origin in lines:
        language = (language or "").lower()
        if spoken_in_english(language):
            texts[("transcript", "en")].append(english or original)
            continue
        if original:
            texts[("transcript", language or "und")].append(original)
        # A draft line whose English was left for a translator had no machine translation.
        if english and (not draft or english_origin == Origin.MACHINE):
            texts[(TRANSLATION, "en")].append(english)
    return texts


def _score(reference: list[str], hypothesis: list[str]) -> Score:
    reference_text, hypothesis_text = " ".join(reference).split(), " ".join(hypothesis).split()
    if not reference_text:
        return Score(0, len(hypothesis_text))
    if not hypothesis_text:
        return Score(len(reference_text), len(reference_text))
    out = jiwer.process_words(" ".join(reference_text), " ".join(hypothesis_text))
    return Score(len(reference_text), out.substitutions + out.deletions + out.insertions)


def drafts(clip_ids) -> dict[int, list[tuple]]:
    """The machine draft of each of these clips that has one: its lines in order, as
    (language, original, english, english_origin). With several ingest jobs, the latest one's."""
    rows = (
        Segment.history.filter(
            clip_id__in=clip_ids, history_type="+", history_change_reason__startswith=DRAFT_REASON
        )
        .order_by("clip_id", "history_date", "position")
        .values_list(
            "clip_id",
            "history_change_reason",
            "position",
            "original_language",
            "original_text",
            "english_text",
            "english_origin",
        )
    )
    found: dict[int, dict[str, list[tuple]]] = defaultdict(dict)
    for clip_id, reason, position, *line in rows.iterator(chunk_size=2000):
        job = found[clip_id]
        if reason not in job:
            job.clear()  # a later job's draft replaces an earlier one
            job[reason] = []
        job[reason].append((position, *line))
    return {
        clip_id: [line for _, *line in sorted(next(iter(job.values())))] for clip_id, job in found.items()
    }


def published_lines(clip_ids) -> dict[int, list[tuple]]:
    lines: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        Segment.objects.filter(clip_id__in=clip_ids)
        .order_by("clip_id", "position", "id")
        .values_list("clip_id", "original_language", "original_text", "english_text", "english_origin")
    )
    for clip_id, *line in rows.iterator(chunk_size=2000):
        lines[clip_id].append(tuple(line))
    return lines


def measure(clips) -> list[ClipQuality]:
    """The draft quality of each of these clips, in their order."""
    clips = list(clips)
    ids = [clip.pk for clip in clips]
    machine = drafts(ids)
    published = published_lines([clip_id for clip_id in ids if clip_id in machine])
    results = []
    for clip in clips:
        if clip.pk not in machine:
            results.append(ClipQuality(clip, has_draft=False))
            continue
        draft_texts = _texts(machine[clip.pk], draft=True)
        now_texts = _texts(published.get(clip.pk, []), draft=False)
        scores = {kind: _score(now_texts.get(kind, []), text) for kind, text in draft_texts.items()}
        results.append(ClipQuality(clip, has_draft=True, scores=scores))
    return results


def published_clips():
    return Clip.objects.published().select_related("channel").order_by("published_at", "number")


@dataclass(slots=True)
class Period:
    """One channel's clips published in one month: how many, how many had a machine draft, and the
    draft's scores added up over them."""

    channel: str
    month: str
    clips: int = 0
    with_draft: int = 0
    scores: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))


def by_channel_and_month(qualities: list[ClipQuality]) -> list[Period]:
    periods: dict[tuple[str, str], Period] = {}
    for quality in qualities:
        clip = quality.clip
        channel = clip.channel.name if clip.channel else "(no channel)"
        month = clip.published_at.strftime("%Y-%m") if clip.published_at else "(unpublished)"
        period = periods.setdefault((channel, month), Period(channel, month))
        period.clips += 1
        if quality.has_draft:
            period.with_draft += 1
            for kind, score in quality.scores.items():
                period.scores[kind].add(score)
    return [periods[key] for key in sorted(periods)]


def kind_label(kind: tuple[str, str]) -> str:
    what, language = kind
    return "English translation" if what == TRANSLATION else f"transcript ({language})"
