"""The layout the README's Layout section states: each piece in the app that owns its data, dependencies
pointing down the layers (import-linter's contracts in pyproject.toml), migrations that do not read
live code, templates and static files inside their app."""

import ast
from pathlib import Path

import pytest
from django.urls import resolve
from importlinter.cli import lint_imports

import clipdesk

SRC = Path(clipdesk.__file__).parent
ROOT = SRC.parent.parent
APPS = sorted(p.parent.name for p in SRC.glob("*/apps.py"))


def test_the_import_contracts_hold(capsys):
    """Layers between apps, no cycles between the modules of a package (see pyproject.toml)."""
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"))
    assert status == 0, capsys.readouterr().out


def _migrations():
    return sorted(p for p in SRC.glob("*/migrations/0*.py"))


@pytest.mark.parametrize("path", _migrations(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_a_migration_carries_the_data_it_applies(path):
    """A data migration reads no live matrix or constant: later code changes never change what it did.
    From clipdesk it may import only mechanisms (sync_roles, given its own frozen matrix; the prober)."""
    tree = ast.parse(path.read_text())
    imported = {
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("clipdesk")
        for alias in node.names
    }
    mechanisms = {
        ("clipdesk.accounts.roles", "sync_roles"),
        ("clipdesk.media.probe", "probe_stored"),
        ("clipdesk.media.probe", "ProbeError"),
    }
    assert imported <= mechanisms, imported
    if ("clipdesk.accounts.roles", "sync_roles") in imported:
        frozen = [
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["ROLES"]
        ]
        assert len(frozen) == 1, "a migration calling sync_roles defines its own literal ROLES"
        assert isinstance(ast.literal_eval(frozen[0]), dict)


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("/staff/clips/id:1/workflow/", "clipdesk.archive.staff_views"),  # a clip's status: archive
        ("/clips/1/lines/1/report/", "clipdesk.inquiries.views"),  # readers' reports: inquiries
        ("/staff/clips/id:1/edit/", "clipdesk.transcripts.staff_views"),
    ],
)
def test_each_view_lives_with_the_app_that_owns_its_data(path, module):
    assert resolve(path).func.__module__ == module


def test_site_wide_pieces_live_in_accounts_and_operations(settings):
    assert "clipdesk.operations.proxies.TrustedProxyMiddleware" in settings.MIDDLEWARE
    assert (SRC / "accounts" / "roles.py").exists()
    for command in ("serve", "worker"):
        assert (SRC / "operations" / "management" / "commands" / f"{command}.py").exists()
        assert not (SRC / "archive" / "management" / "commands" / f"{command}.py").exists()


def test_templates_and_static_files_live_in_their_app():
    """An app's templates are in <app>/templates/<app>/, its static files in <app>/static/<app>/; the
    project's templates/ and static/clipdesk/ keep only what pages of several apps share."""
    shared_templates = {"base.html", "_dev_mail_notice.html", "admin/clipdesk/action_form.html"}
    project = {str(p.relative_to(SRC / "templates")) for p in (SRC / "templates").rglob("*") if p.is_file()}
    assert project == shared_templates
    shared_static = {"clipdesk/css/site.css", "clipdesk/js/copy-link.js"}
    assert {
        str(p.relative_to(SRC / "static")) for p in (SRC / "static").rglob("*") if p.is_file()
    } == shared_static
    for app in APPS:
        for kind in ("templates", "static"):
            folder = SRC / app / kind
            if folder.exists():
                # admin/<app>/... overrides the admin's own templates for this app's models.
                assert {p.name for p in folder.iterdir()} <= {app, "admin"}, (app, kind)
