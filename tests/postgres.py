"""Real PostgreSQL for the tests where behaviour differs (locking, sequences, concurrency).

``fresh_database()`` creates an empty database on the machine's server (127.0.0.1:5432, trust auth),
migrates it with the registry's own command and yields its URL; worker processes get it as DATABASE_URL.
Set REGISTRY_TEST_PG_URL to point elsewhere (a URL of a maintenance database such as .../postgres).
"""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

ADMIN_URL = os.environ.get("REGISTRY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parent.parent


def server_available() -> bool:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True):
            return True
    except psycopg.Error:
        return False


def registry_env(database_url: str, home: Path, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REGISTRY_HOME=str(home),
        DJANGO_SETTINGS_MODULE="registry.settings.base",
        PYTHONPATH=str(ROOT),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_registry(args, env, **kwargs):
    return subprocess.run([sys.executable, "-m", "registry.cli", *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, **kwargs)


@contextlib.contextmanager
def fresh_database(home: Path):
    if not server_available():
        pytest.fail(f"PostgreSQL is not reachable at {ADMIN_URL}: start it (see .ci/run)")
    name = f"registry_test_{uuid.uuid4().hex[:10]}"
    base = ADMIN_URL.rsplit("/", 1)[0]
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    try:
        run_registry(["migrate", "--noinput"], registry_env(url, home))
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database(tmp_path):
    """URL of a freshly migrated PostgreSQL database, dropped after the test."""
    with fresh_database(tmp_path / "home") as url:
        yield url
