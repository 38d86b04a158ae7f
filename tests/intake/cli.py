"""Running ``registry`` in subprocesses against a throwaway SQLite REGISTRY_HOME (migrated once per session,
then copied: migrating Wagtail's schema costs seconds, copying a database file costs nothing)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("REGISTRY_QPDF_CORPUS") or ROOT / ".." / "shared" / "corpora" / "qpdf")


def sqlite_env(home: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REGISTRY_STORAGE")}
    env.update(REGISTRY_HOME=str(home), DJANGO_SETTINGS_MODULE="registry.settings.base", PYTHONPATH=str(ROOT),
               REGISTRY_LOG_LEVEL="ERROR")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def registry(args, env, *, check=False, timeout=600):
    return subprocess.run([sys.executable, "-m", "registry.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, check=check)


SETUP_CLERK = """
import django; django.setup()
from registry.actions.people import do_add_user
do_add_user("vanthu", role="clerk", clearance="tuyet_mat", unit="Văn phòng", password="pw-test-123")
do_add_user("canbo", role="staff", clearance="tuyet_mat", unit="Văn phòng", password="pw-test-123")
"""


def stored_files(home: Path) -> set[str]:
    root = home / "files"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def referenced_files(home: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(home / "registry.sqlite3") as db:
        rows = db.execute("SELECT file, rendition FROM registry_document").fetchall()
    return {name for row in rows for name in row if name}


def last_json(stdout: str):
    return json.loads(stdout.strip().splitlines()[-1])
