"""The whole production stack, started by the test on loopback: PostgreSQL (the machine's server, a fresh
database), S3 on a real SeaweedFS server, the Elasticsearch backend on osmem-server, and a Celery worker on
Redis. A clerk registers a secret document, the worker reads its text and indexes it, a reader takes a marked copy and finds
it by search, and the chain verifies."""

import json
import subprocess
import sys
import time
import uuid

import boto3
import psycopg
import pytest

from tests.intake import samples
from tests.intake.cli import ROOT, SETUP_CLERK, last_json, registry
from tests.postgres import fresh_database, registry_env
from tests.production.seaweed import ACCESS_KEY, SECRET_KEY, seaweed_s3

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
BUCKET = "registry-integration"


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def test_register_read_search_audit_on_the_production_stack(tmp_path):
    from osmem_server import OsmemServer

    home = tmp_path / "home"
    search_server = OsmemServer.start(japanese=False)
    worker = None
    try:
        with seaweed_s3(tmp_path / "seaweedfs") as endpoint, fresh_database(home) as url:
            s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY,
                              aws_secret_access_key=SECRET_KEY, region_name="us-east-1")
            s3.create_bucket(Bucket=BUCKET)
            env = registry_env(
                url, home, DJANGO_SETTINGS_MODULE="tests.production.integration_settings",
                REGISTRY_LOG_LEVEL="ERROR",
                REGISTRY_STORAGE="s3", REGISTRY_S3_ENDPOINT=endpoint, REGISTRY_S3_BUCKET=BUCKET,
                REGISTRY_S3_ACCESS_KEY=ACCESS_KEY, REGISTRY_S3_SECRET_KEY=SECRET_KEY, REGISTRY_S3_SSE="AES256",
                REGISTRY_SEARCH_BACKEND="elasticsearch", ELASTICSEARCH_URL=search_server.url,
                REGISTRY_SEARCH_INDEX_PREFIX=f"it{uuid.uuid4().hex[:6]}",
                REGISTRY_TASKS="celery", CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
                REGISTRY_TEST_QUEUE=f"registry-it-{uuid.uuid4().hex[:8]}",
            )
            subprocess.run([sys.executable, "-c", SETUP_CLERK], env=env, cwd=ROOT, check=True, capture_output=True)
            worker = subprocess.Popen([sys.executable, "-m", "registry.cli", "worker", "--pool", "solo",
                                       "--concurrency", "1", "--loglevel", "WARNING"],
                                      env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "worker.log", "wb"))

            source = tmp_path / "mat.pdf"
            source.write_bytes(samples.text_pdf(marker="TICHHOP"))
            done = registry(["intake", str(source), "--direction", "den", "--level", "mat", "--number", "7-CV/VPTW",
                             "--type", "CV", "--issuer", "Văn phòng Trung ương Đảng", "--date", "2024-05-02",
                             "--title", "Tài liệu tích hợp", "--actor", "vanthu", "--json"], env)
            assert done.returncode == 0, done.stdout + done.stderr
            doc_id = last_json(done.stdout)["id"]

            def indexed():
                # The worker reads the text (intake.process_document), then indexes the document twice: its
                # register fields at registration, its text once read.
                with psycopg.connect(url, autocommit=True) as conn:
                    rows = conn.execute("SELECT name, state, error FROM registry_taskrun WHERE name IN "
                                        "('intake.process_document', 'search.index_document')").fetchall()
                assert not [row for row in rows if row[1] == "failed"], rows
                processed = [row for row in rows if row[0] == "intake.process_document" and row[1] == "done"]
                indexing = [row for row in rows if row[0] == "search.index_document"]
                return processed and len(indexing) >= 2 and all(row[1] == "done" for row in indexing)

            wait_for(indexed, 180, f"the worker to read and index document {doc_id} "
                                   f"({(tmp_path / 'worker.log').read_text()[-1500:]})")

            copy = tmp_path / "copy.pdf"
            opened = registry(["open", str(doc_id), "--as", "canbo", "--purpose", "Kiểm thử", "--out", str(copy)], env)
            assert opened.returncode == 0, opened.stdout + opened.stderr
            assert copy.read_bytes().startswith(b"%PDF")

            found = registry(["search", "tichhop", "--as", "canbo", "--json"], env)
            assert found.returncode == 0, found.stdout + found.stderr
            assert [hit["id"] for hit in last_json(found.stdout)["hits"]] == [doc_id]

            verify = registry(["audit", "verify", "--json"], env)
            assert verify.returncode == 0 and json.loads(verify.stdout.strip().splitlines()[-1])["ok"]

            keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
            assert len(keys) == 2
            for key in keys:
                obj = s3.get_object(Bucket=BUCKET, Key=key)
                assert obj["ServerSideEncryption"] == "AES256" and obj["Body"].read()[:4] == b"RGV1"
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        search_server.close()
