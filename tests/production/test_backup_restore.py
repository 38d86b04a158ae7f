"""Backup → wipe → restore, on SQLite + local disk and on PostgreSQL + S3 (SeaweedFS): the chain verifies, fixity is clean,
and search finds the same documents. Everything runs as an operator would: `registry …` in subprocesses."""

import json
import shutil
import subprocess
import sys
import tarfile

import boto3
import pytest

from tests.intake import samples
from tests.intake.conftest import migrated_home  # noqa: F401  (fixture)
from tests.intake.cli import ROOT, SETUP_CLERK, last_json, registry, sqlite_env
from tests.postgres import fresh_database, registry_env
from tests.production.seaweed import ACCESS_KEY, SECRET_KEY, seaweed_s3

pytestmark = pytest.mark.slow
BUCKET = "registry-backup"

SETUP_AUDITOR = """
import django; django.setup()
from registry.actions.people import do_add_user
do_add_user("baomat", role="auditor", clearance="tuyet_mat", unit="Văn phòng", password="pw-test-123")
"""


def run(args, env, *, expect=0):
    result = registry(args, env)
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    return result


def populate(env, tmp_path, *, users=True) -> None:
    for script in (SETUP_CLERK, SETUP_AUDITOR) if users else (SETUP_AUDITOR,):
        subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True)
    for number, (marker, level) in enumerate((("SAOLUU MOT", "mat"), ("SAOLUU HAI", "thuong")), 1):
        source = tmp_path / f"{marker.replace(' ', '-')}.pdf"
        source.write_bytes(samples.text_pdf(marker=marker))
        run(["intake", str(source), "--direction", "den", "--level", level, "--number", f"{number}-CV/VPTW", "--type", "CV", "--issuer",
             "Văn phòng Trung ương Đảng", "--date", "2024-05-02", "--title", f"Tài liệu {marker}",
             "--actor", "vanthu", "--json"], env)
    run(["audit", "checkpoint", "--as", "baomat"], env)


def found(env) -> list[int]:
    out = run(["search", "saoluu", "--as", "canbo", "--json"], env).stdout
    return sorted(hit["id"] for hit in last_json(out)["hits"])


def check_restored(env, expected_hits):
    verify = json.loads(run(["audit", "verify", "--json"], env).stdout.strip().splitlines()[-1])
    assert verify["ok"], verify
    fixity = last_json(run(["fixity", "--json"], env).stdout)
    assert fixity["clean"] and fixity["checked"] == 4, fixity
    assert found(env) == expected_hits


def backup_members(path) -> set[str]:
    with tarfile.open(path) as tar:
        return set(tar.getnames())


@pytest.mark.sqlite_only
def test_sqlite_backup_wipe_restore(tmp_path, migrated_home):
    home = tmp_path / "home"
    shutil.copytree(migrated_home, home)  # migrated, with vanthu (clerk) and canbo (staff)
    env = sqlite_env(home)
    populate(env, tmp_path, users=False)
    hits = found(env)
    assert len(hits) == 2

    plain = tmp_path / "plain.tar"
    result = run(["backup", str(plain)], env)
    names = backup_members(plain)
    assert not any(n.endswith((".kek", ".key")) for n in names) and "CẢNH BÁO" not in result.stderr
    assert any(n.endswith(".pub") for n in names) and "database/db.sqlite3" in names

    full = tmp_path / "full.tar.gz"
    result = run(["backup", str(full), "--include-keys", "--json"], env)
    assert "CẢNH BÁO" in result.stderr and last_json(result.stdout)["objects"] == 4

    shutil.rmtree(home)  # wipe
    restored = last_json(run(["restore", str(full), "--json"], env).stdout)
    assert restored["objects"] == 4 and restored["indexed"] == 2
    check_restored(env, hits)


def s3_env(endpoint, bucket) -> dict:
    return {"REGISTRY_STORAGE": "s3", "REGISTRY_S3_ENDPOINT": endpoint, "REGISTRY_S3_BUCKET": bucket,
            "REGISTRY_S3_ACCESS_KEY": ACCESS_KEY, "REGISTRY_S3_SECRET_KEY": SECRET_KEY}


@pytest.mark.postgres
def test_postgres_s3_backup_wipe_restore(tmp_path):
    """PostgreSQL + S3 (a real SeaweedFS server): the production combination."""
    home = tmp_path / "home"
    with seaweed_s3(tmp_path / "seaweedfs") as endpoint:
        s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY, region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        with fresh_database(home) as url:
            env = registry_env(url, home, REGISTRY_LOG_LEVEL="ERROR", **s3_env(endpoint, BUCKET))
            populate(env, tmp_path)
            hits = found(env)
            backup = tmp_path / "pg.tar"
            run(["backup", str(backup), "--include-keys"], env)
        # wipe: the database is dropped, the instance folder gone, the bucket emptied
        shutil.rmtree(home)
        for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=item["Key"])
        other = tmp_path / "other"
        with fresh_database(other) as url:
            env = registry_env(url, other, REGISTRY_LOG_LEVEL="ERROR", **s3_env(endpoint, BUCKET))
            run(["restore", str(backup)], env)
            assert len(s3.list_objects_v2(Bucket=BUCKET)["Contents"]) == 4
            check_restored(env, hits)
            # Restoring over a database that holds data is refused.
            result = registry(["restore", str(backup)], env)
            assert result.returncode != 0 and "trống" in result.stderr
