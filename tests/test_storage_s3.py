"""Intake against S3-compatible object storage (moto's server, spoken to over HTTP by django-storages)."""

import socket

import boto3
import pytest
from django.core.files.storage import default_storage

from registry.errors import ErrorCode
from registry.intake import DuplicateError, IntakeError, register_file
from registry.intake import steps
from registry.models import Document
from tests.factories import make_metadata
from tests.intake import samples

BUCKET = "registry-test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="testing",
                          aws_secret_access_key="testing", region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET, "endpoint_url": s3_endpoint, "access_key": "testing",
                "secret_key": "testing", "region_name": "us-east-1", "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def objects(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.mark.django_db
def test_register_store_and_read_back_from_s3(s3, clerk, tmp_path):
    data = samples.text_pdf(marker="s3")
    path = tmp_path / "s3.pdf"
    path.write_bytes(data)
    document = register_file(path, meta=make_metadata(), actor=clerk)
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    assert objects(s3) == {document.file.name, document.rendition.name}
    with document.file.open("rb") as f:
        assert f.read() == data
    assert s3.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read() == data

    with pytest.raises(DuplicateError):
        register_file(path, meta=make_metadata(), actor=clerk)
    assert objects(s3) == {document.file.name, document.rendition.name}


@pytest.mark.django_db
def test_failure_after_upload_leaves_no_object(s3, clerk, tmp_path, monkeypatch):
    original_put = steps.StoreAndRegister._put

    def rendition_upload_fails(self, name, source):
        if name.startswith("renditions/"):
            raise IntakeError("mất kết nối kho lưu trữ", code=ErrorCode.STORAGE_FAILED)
        original_put(self, name, source)

    monkeypatch.setattr(steps.StoreAndRegister, "_put", rendition_upload_fails)
    path = tmp_path / "fail.pdf"
    path.write_bytes(samples.text_pdf(marker="s3 failure"))
    with pytest.raises(IntakeError) as caught:
        register_file(path, meta=make_metadata(), actor=clerk)
    assert caught.value.code == ErrorCode.STORAGE_FAILED
    assert objects(s3) == set()  # the original had been uploaded, and was removed
    assert Document.objects.count() == 0

    with pytest.raises(IntakeError) as caught:
        register_file(tmp_path / "fail.pdf", filename="x\u202efdp.exe", meta=make_metadata(), actor=clerk)
    assert caught.value.code == ErrorCode.BAD_FILENAME and objects(s3) == set()
