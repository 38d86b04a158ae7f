"""Intake fixtures: a private MEDIA_ROOT per test, so "nothing left behind" can be checked file by file."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from registry.constants import Level, Role
from tests.factories import make_user
from tests.intake.cli import ROOT, SETUP_CLERK, registry, sqlite_env


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def vanthu(db):
    return make_user("vanthu_intake", role=Role.CLERK, clearance=Level.TUYET_MAT)


@pytest.fixture
def write(tmp_path):
    """write(name, data) -> Path of a source file in a scratch folder (not the media root)."""
    folder = tmp_path / "incoming"
    folder.mkdir()

    def _write(name: str, data: bytes) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return _write


@pytest.fixture(scope="session")
def migrated_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("registry-template")
    env = sqlite_env(home)
    registry(["migrate", "--noinput"], env, check=True)
    subprocess.run([sys.executable, "-c", SETUP_CLERK], env=env, cwd=ROOT, check=True, capture_output=True)
    return home


@pytest.fixture
def home(migrated_home, tmp_path) -> Path:
    """A fresh REGISTRY_HOME with a migrated database and two users: vanthu (clerk) and canbo (staff)."""
    target = tmp_path / "home"
    target.mkdir()
    for item in migrated_home.glob("registry.sqlite3*"):
        shutil.copy2(item, target / item.name)
    return target


def plain_text(document) -> str:
    """A document's extracted text, opened when it is sealed at rest (``registry.vault``)."""
    try:
        from registry.vault import document_text
    except ImportError:
        return document.extracted_text
    return document_text(document)
