"""Fixtures for the speech pipeline tests: one Whisper model per test session, and a tiny
CTranslate2 translation model built here (no download, no torch)."""

import os
from pathlib import Path

import numpy as np
import pytest

# Nothing may be downloaded: any hub access fails instead of hanging on the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def pipeline():
    from clipdesk.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def tiny_translation_model(tmp_path_factory) -> Path:
    return build_tiny_translation_model(tmp_path_factory.mktemp("ct2") / "tiny")


TINY_VOCAB = [
    "<unk>",
    "<s>",
    "</s>",
    "<blank>",
    *("hola", "mundo", "buenos", "dias", "gracias", "hello", "world", "good", "morning", "thanks"),
]


def build_tiny_translation_model(directory: Path) -> Path:
    """A 1-layer, 16-wide Transformer with random weights, saved by CTranslate2's own spec writer,
    plus a WordLevel tokenizer.json for the Hugging Face tokenizers library."""
    from ctranslate2.specs import TransformerSpec
    from tokenizers import Tokenizer, models, pre_tokenizers

    d_model, d_ffn, vocab = 16, 32, len(TINY_VOCAB)
    rng = np.random.default_rng(0)
    spec = TransformerSpec.from_config(1, 2)

    def fill(layer, name, value):
        if value is not None:
            return
        path = name.split("/")
        attr, parent = path[-1], path[-2]
        if attr == "gamma":
            array = np.ones(d_model)
        elif attr == "beta":
            array = np.zeros(d_model)
        elif parent.startswith("embeddings") or parent == "projection":
            array = rng.normal(size=(vocab, d_model))
        elif "ffn" in path:
            array = rng.normal(size=(d_ffn, d_model) if parent == "linear_0" else (d_model, d_ffn)) * 0.1
        elif "self_attention" in path:  # fused QKV, then output
            array = (
                rng.normal(size=(3 * d_model, d_model) if parent == "linear_0" else (d_model, d_model)) * 0.1
            )
        else:  # cross-attention: query, fused KV, output
            rows = {"linear_0": d_model, "linear_1": 2 * d_model, "linear_2": d_model}[parent]
            array = rng.normal(size=(rows, d_model)) * 0.1
        setattr(layer, attr, array.astype(np.float32))

    spec._visit(fill)  # the converters fill the spec the same way
    spec.register_source_vocabulary(TINY_VOCAB)
    spec.register_target_vocabulary(TINY_VOCAB)
    spec.validate()
    spec.optimize()
    directory.mkdir(parents=True, exist_ok=True)
    spec.save(str(directory))

    tokenizer = Tokenizer(models.WordLevel({t: i for i, t in enumerate(TINY_VOCAB)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.add_special_tokens(TINY_VOCAB[:4])  # as a real tokenizer.json marks them
    tokenizer.save(str(directory / "tokenizer.json"))
    return directory
