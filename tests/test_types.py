"""Types where the contracts are: mypy, strict, on the pipeline and the service interfaces other code plugs
into (pyproject.toml [tool.mypy]; `make lint` runs the same check)."""

import tomllib
from pathlib import Path

import pytest
from mypy import api

import clipdesk

ROOT = Path(clipdesk.__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"].get("mypy", {})

# The modules whose types are a contract: the Django-free pipeline (translators included), the search
# engine interface and its backends, the payment providers, media storage access, repair results.
CONTRACTS = {
    "clipdesk.pipeline.*": "src/clipdesk/pipeline",
    "clipdesk.search.interfaces": "src/clipdesk/search/interfaces.py",
    "clipdesk.search.backends.*": "src/clipdesk/search/backends",
    "clipdesk.donations.providers.*": "src/clipdesk/donations/providers",
    "clipdesk.media.streams": "src/clipdesk/media/streams.py",
    "clipdesk.media.probe": "src/clipdesk/media/probe.py",
    "clipdesk.repairing": "src/clipdesk/repairing.py",
}


# --strict's flags that mypy takes per module (`strict = true` in an override would apply to every module).
STRICT_FLAGS = {
    "disallow_any_generics": True,
    "disallow_subclassing_any": True,
    "disallow_untyped_calls": True,
    "disallow_untyped_defs": True,
    "disallow_incomplete_defs": True,
    "check_untyped_defs": True,
    "disallow_untyped_decorators": True,
    "warn_unused_ignores": True,
    "warn_return_any": True,
    "implicit_reexport": False,
    "strict_equality": True,
    "extra_checks": True,
}


def _strict_modules() -> set[str]:
    strict = [o for o in CONFIG.get("overrides", []) if STRICT_FLAGS.items() <= o.items()]
    return {module for override in strict for module in override["module"]}


def test_strict_mode_is_not_switched_on_for_every_module():
    assert not any("strict" in override for override in CONFIG.get("overrides", []))
    assert "strict" not in CONFIG


@pytest.mark.parametrize(("module", "path"), CONTRACTS.items())
def test_each_contract_module_is_checked_strictly(module, path):
    assert path in CONFIG.get("files", [])
    assert module in _strict_modules()


def test_the_contract_modules_type_check(monkeypatch):
    """mypy as `make lint` runs it, from the project root, with the configuration in pyproject.toml."""
    monkeypatch.chdir(ROOT)
    report, errors, status = api.run([])
    assert status == 0, report + errors
