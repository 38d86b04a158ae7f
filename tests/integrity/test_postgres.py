"""PostgreSQL: the triggers refuse UPDATE, DELETE and TRUNCATE; concurrent readers never fork the chain."""

import json
import os
import subprocess
import sys
import time

import psycopg
import pytest

from tests.postgres import ROOT, registry_env, run_registry

pytestmark = pytest.mark.postgres

HASH = "a" * 64


def _insert_entry(conn):
    conn.execute(
        "INSERT INTO registry_accesslogentry (seq, at, actor_username, actor_unit, ip, user_agent, request_id, "
        "action, outcome, document_level, document_unit, purpose, copy_id, query, extra, prev_hash, hash) "
        "VALUES (1, now(), 'a', '', '', '', '', 'view', 'ok', '', '', '', '', '', '{}', %s, %s)",
        ["0" * 64, HASH],
    )
    conn.execute(
        "INSERT INTO registry_checkpoint (seq, head_hash, entries, created_at, key_id, signature, signed_by) "
        "VALUES (1, %s, 1, now(), 'k', 's', '')",
        [HASH],
    )


def test_postgres_refuses_update_delete_truncate(pg_database):
    with psycopg.connect(pg_database, autocommit=True) as conn:
        _insert_entry(conn)
        for table in ("registry_accesslogentry", "registry_checkpoint"):
            for statement in (f"UPDATE {table} SET seq = 2", f"DELETE FROM {table}", f"TRUNCATE {table}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1


@pytest.mark.slow
def test_concurrent_downloads_leave_one_unforked_chain(pg_database, tmp_path):
    seconds = float(os.environ.get("REGISTRY_TEST_CONCURRENCY_SECONDS", 30))
    processes, threads = 2, 8  # 16 concurrent readers, each with its own connection
    env = registry_env(pg_database, tmp_path / "home")
    setup = json.loads(subprocess.run([sys.executable, "-m", "tests.integrity.pg_worker", "setup"], env=env,
                                      cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    started = time.monotonic()
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.integrity.pg_worker", "read", str(setup["document_id"]),
                          setup["username"], str(seconds), str(threads)],
                         env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    # Verify while the readers are still writing: entries appended during the scan must not look forged.
    time.sleep(seconds / 2)
    during = json.loads(run_registry(["audit", "verify", "--json"], env).stdout)
    assert during["ok"] is True and during["first_broken"] is None, during
    results = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=seconds + 60)
        assert worker.returncode == 0, stderr[-2000:]
        results.append(json.loads(stdout.strip().splitlines()[-1]))
    assert time.monotonic() - started < seconds + 60
    reads = sum(r["reads"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    assert not errors, errors
    assert reads >= 16, f"only {reads} reads in {seconds}s"
    print(f"{reads} marked copies by 16 concurrent readers in {seconds:.0f}s")

    with psycopg.connect(pg_database) as conn:
        count, low, high = conn.execute("SELECT count(*), min(seq), max(seq) FROM registry_accesslogentry").fetchone()
        assert (low, high) == (1, count), "seq must be gapless"
        forks = conn.execute(
            "SELECT count(*) FROM (SELECT prev_hash, lag(hash) OVER (ORDER BY seq) AS before, seq "
            "FROM registry_accesslogentry) t WHERE seq > 1 AND prev_hash <> before"
        ).fetchone()[0]
        assert forks == 0
        downloads, numbers = conn.execute(
            "SELECT count(*), count(DISTINCT extra->>'copy_number') FROM registry_accesslogentry "
            "WHERE action = 'download' AND outcome = 'ok'"
        ).fetchone()
        assert downloads == reads == numbers
        verifications = conn.execute(
            "SELECT count(*) FROM registry_accesslogentry WHERE action = 'audit_verify'").fetchone()[0]
        assert verifications == 1
        head = conn.execute("SELECT seq FROM registry_chainhead WHERE id = 1").fetchone()[0]
        assert head == count
    verified = json.loads(run_registry(["audit", "verify", "--json"], env).stdout)
    assert verified == {"ok": True, "entries": count, "first_broken": None, "problem": None}
    assert during["entries"] < count
