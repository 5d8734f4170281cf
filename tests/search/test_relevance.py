"""The relevance set: nDCG@10 and recall@10 of both engines, over a fixture archive built here.

`relevance/queries.json` holds frozen queries (English and Arabic; words, phrases, names with their
aliases, a prefix) with the clips of `relevance/archive.json` that should be found, graded 2 (what
the clip is about) or 1 (it is said there). Each engine's mean figures are written to
var/test-artifacts/relevance-<engine>.json, with every query's, and the test fails if either drops
below its floor: the figure measured when the set was made. Raise a floor when ranking improves;
never lower one to let a change through. tantivy is measured in both passes of `make test`,
PostgreSQL in its own pass.
"""

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from clipdesk.archive.models import Person
from clipdesk.search.backends.postgres import PostgresBackend
from clipdesk.search.backends.tantivy import TantivyBackend
from clipdesk.search.documents import load_documents
from clipdesk.search.interfaces import SearchRequest
from clipdesk.search.services import prepare

from ..conftest import ARTIFACTS
from .conftest import make_channel, make_person

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent / "relevance"
K = 10
# Measured when the set was made (mean over its queries), rounded down.
FLOORS = {
    "tantivy": {"ndcg@10": 0.946, "recall@10": 0.973},
    "postgres": {"ndcg@10": 0.954, "recall@10": 0.973},
}


def load(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


@pytest.fixture
def relevance_archive(make_clip) -> dict[str, int]:
    """The fixture archive, published through the archive's actions: clip key → clip id."""
    data = load("archive.json")
    channels = {key: make_channel(*value) for key, value in data["channels"].items()}
    people = {
        key: make_person(name, *aliases, kind=Person.Kind(kind))
        for key, (name, kind, aliases) in data["people"].items()
    }
    ids = {}
    for key, clip in data["clips"].items():
        ids[key] = make_clip(
            clip["title"],
            [tuple(line) for line in clip["lines"]],
            channel=channels[clip["channel"]],
            language=clip.get("language", "ar"),
            topics=clip.get("topics", ()),
            people=[people[p] for p in clip.get("people", ())],
            speakers={label: people[p] for label, p in clip.get("speakers", {}).items()},
            aired_on=dt.date.fromisoformat(clip["aired_on"]),
        ).pk
    return ids


def dcg(gains: list[int]) -> float:
    return sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains))


def measure(backend, clips: dict[str, int]) -> dict:
    """Mean nDCG@10 and recall@10 over the set, and each query's figures."""
    key_of = {pk: key for key, pk in clips.items()}
    per_query = []
    for item in load("queries.json")["queries"]:
        _, query, _ = prepare(item["q"])
        found = [key_of[hit.clip_id] for hit in backend.search(SearchRequest(query, limit=K)).clips]
        relevant: dict[str, int] = item["relevant"]
        ideal = dcg(sorted(relevant.values(), reverse=True)[:K])
        per_query.append(
            {
                "q": item["q"],
                "ndcg@10": dcg([relevant.get(key, 0) for key in found]) / ideal,
                "recall@10": len(set(found) & set(relevant)) / len(relevant),
                "found": found,
            }
        )
    mean = {m: sum(q[m] for q in per_query) / len(per_query) for m in ("ndcg@10", "recall@10")}
    return {**mean, "queries": len(per_query), "per_query": per_query}


def check(engine: str, backend, clips: dict[str, int]) -> None:
    figures = measure(backend, clips)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"relevance-{engine}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(f"\n{engine}: nDCG@10 {figures['ndcg@10']:.4f}, recall@10 {figures['recall@10']:.4f}")
    assert figures["queries"] >= 50
    for metric, floor in FLOORS[engine].items():
        assert figures[metric] >= floor, (engine, metric, figures[metric], floor)


def test_tantivy_ranks_the_relevance_set(relevance_archive, tmp_path):
    backend = TantivyBackend(tmp_path / "relevance")
    backend.rebuild(load_documents())
    check("tantivy", backend, relevance_archive)


@pytest.mark.postgres
@pytest.mark.on_postgres
def test_postgres_ranks_the_relevance_set(relevance_archive):
    backend = PostgresBackend()
    backend.rebuild(load_documents())
    check("postgres", backend, relevance_archive)
