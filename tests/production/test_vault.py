"""Encryption at rest: a mat document's stored objects and database text are unreadable without the key,
a flipped byte is refused (and the refusal is on record), and after `keys rotate` everything still reads."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from registry.actions.reading import do_read_document
from registry.constants import Action, Level, Outcome
from registry.errors import ErrorCode
from tests.tasks import register_file_committed as register_file
from registry.models import AccessLogEntry, DataKey, Document
from registry.signals import document_destroyed
from registry.vault import IntegrityFailedError, KeyUnavailableError, document_text, load_keyring
from registry.vault.storage import inner_storage
from tests.factories import make_metadata
from tests.intake import samples

pytestmark = pytest.mark.django_db

MARKER = "TUYETMATKHAU"


@pytest.fixture
def keys(settings, tmp_path):
    """A private KEK folder for the test (rotation deletes retired keys)."""
    settings.REGISTRY_VAULT = {"KEYS_DIR": str(tmp_path / "vault-keys")}
    return tmp_path / "vault-keys"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def register(clerk, tmp_path, marker=MARKER, level=Level.MAT) -> Document:
    path = tmp_path / f"{marker}.pdf"
    path.write_bytes(samples.text_pdf(marker=marker))
    return register_file(path, meta=make_metadata(level=level), actor=clerk)


def raw_object(name: str) -> bytes:
    return inner_storage().open(name, "rb").read()


def raw_text(document_id: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT extracted_text FROM registry_document WHERE id = %s", [document_id])
        return cur.fetchone()[0]


def test_stored_objects_and_text_are_ciphertext(clerk, keys, media, tmp_path):
    doc = register(clerk, tmp_path)
    for name in (doc.file.name, doc.rendition.name):
        stored = raw_object(name)
        assert not stored.startswith(b"%PDF") and b"%PDF" not in stored and MARKER.encode() not in stored
        assert stored.startswith(b"RGV1")
    text = raw_text(doc.pk)
    assert text.startswith("vault:v1:") and MARKER not in text and "Hướng dẫn" not in text
    # Through the application, both read back as they were registered.
    assert doc.file.open("rb").read() == samples.text_pdf(marker=MARKER)
    assert MARKER in document_text(doc)
    # An unclassified document's text stays plain (nothing secret to protect); its files are sealed anyway.
    plain = register(clerk, tmp_path, marker="CONGKHAI", level=Level.THUONG)
    assert "CONGKHAI" in raw_text(plain.pk) and raw_object(plain.file.name).startswith(b"RGV1")


def test_unreadable_without_the_key(clerk, keys, media, tmp_path, settings):
    doc = register(clerk, tmp_path)
    settings.REGISTRY_VAULT = {"KEYS_DIR": str(tmp_path / "other-keys")}  # another instance's key
    with pytest.raises((IntegrityFailedError, KeyUnavailableError)):
        doc.file.open("rb").read()
    with pytest.raises((IntegrityFailedError, KeyUnavailableError)):
        document_text(Document.objects.get(pk=doc.pk))


def test_flipped_byte_is_refused_and_logged(clerk, keys, media, tmp_path):
    doc = register(clerk, tmp_path)
    path = media / doc.rendition.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    before = AccessLogEntry.objects.order_by("-seq").first().seq
    with pytest.raises(IntegrityFailedError) as caught:
        do_read_document(doc.pk, actor=clerk)
    assert caught.value.code == ErrorCode.INTEGRITY_FAILED
    (entry,) = AccessLogEntry.objects.filter(seq__gt=before)
    assert (entry.action, entry.outcome, entry.document_id) == (Action.DOWNLOAD, Outcome.ERROR, doc.pk)
    assert entry.extra["reason"] == "integrity_failed"


def test_object_copied_over_another_is_refused(clerk, keys, media, tmp_path):
    doc = register(clerk, tmp_path)
    (media / doc.rendition.name).write_bytes((media / doc.file.name).read_bytes())
    with pytest.raises(IntegrityFailedError):
        doc.rendition.open("rb").read()


def test_rotate_rewraps_resumably_and_everything_still_reads(clerk, keys, media, tmp_path):
    first = register(clerk, tmp_path, marker="MOT")
    second = register(clerk, tmp_path, marker="HAI")
    old = load_keyring().current_id
    out = io.StringIO()
    call_command("keys", "rotate", "--limit", "1", "--json", stdout=out, stderr=io.StringIO())
    summary = json.loads(out.getvalue())
    new = summary["kek_id"]
    assert new != old and summary["rewrapped"] == 1 and summary["remaining"] == 1 and summary["retired"] == []
    # Interrupted half-way: both documents still read (the old KEK is kept until the end).
    assert MARKER not in document_text(first) and "MOT" in document_text(first)
    out = io.StringIO()
    call_command("keys", "rotate", "--json", stdout=out, stderr=io.StringIO())  # resumes, no third key
    summary = json.loads(out.getvalue())
    assert summary["kek_id"] == new and summary["new_kek"] is None and summary["remaining"] == 0
    assert summary["retired"] == [old]
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {new}
    assert not (keys / f"{old}.kek").exists()
    for doc in (first, second):
        doc = Document.objects.get(pk=doc.pk)
        assert doc.file.open("rb").read().startswith(b"%PDF")
        assert do_read_document(doc.pk, actor=clerk).content.startswith(b"%PDF")
    assert "HAI" in document_text(Document.objects.get(pk=second.pk))
    assert AccessLogEntry.objects.filter(action=Action.KEY_ROTATE).count() == 2


def test_destroying_a_document_destroys_its_data_key(clerk, keys, media, tmp_path):
    doc = register(clerk, tmp_path)
    document_destroyed.send(sender=Document, document_id=doc.pk)
    assert not DataKey.objects.filter(ref=doc.sha256).exists()
    with pytest.raises(KeyUnavailableError):
        doc.file.open("rb").read()
    with pytest.raises(KeyUnavailableError):
        document_text(Document.objects.get(pk=doc.pk))


def test_outbox_blob_is_sealed(keys):
    from registry.vault import open_blob, seal_blob

    sealed = seal_blob(b"%PDF-1.7 copy", "token-1")
    assert b"%PDF" not in sealed and open_blob(sealed, "token-1") == b"%PDF-1.7 copy"
    with pytest.raises(IntegrityFailedError):
        open_blob(sealed, "token-2")


def test_seal_encrypts_what_an_older_instance_left_in_clear(clerk, keys, media, tmp_path):
    from registry.vault.core import seal_legacy

    doc = register(clerk, tmp_path)
    content = doc.file.open("rb").read()
    # As an instance made before encryption at rest left it: plain file, plain text.
    (media / doc.file.name).write_bytes(content)
    Document.objects.filter(pk=doc.pk).update(extracted_text="Hướng dẫn " + MARKER)
    out = io.StringIO()
    call_command("keys", "seal", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"objects_sealed": 1, "texts_sealed": 1}
    assert raw_object(doc.file.name).startswith(b"RGV1") and raw_text(doc.pk).startswith("vault:v1:")
    doc = Document.objects.get(pk=doc.pk)
    assert doc.file.open("rb").read() == content and MARKER in document_text(doc)
    assert seal_legacy() == {"objects_sealed": 0, "texts_sealed": 0}


def test_rotation_with_keks_from_the_environment(clerk, media, tmp_path, settings):
    from registry.vault.keys import new_key_text

    old, new = new_key_text(), new_key_text()
    settings.REGISTRY_VAULT = {"KEK": old}
    doc = register(clerk, tmp_path)
    settings.REGISTRY_VAULT = {"KEK": new}  # the new key set, the old one forgotten too early: refused
    with pytest.raises(KeyUnavailableError):
        Document.objects.get(pk=doc.pk).file.open("rb").read()
    settings.REGISTRY_VAULT = {"KEK": new, "KEK_PREVIOUS": old}
    out = io.StringIO()
    call_command("keys", "rotate", "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["remaining"] == 0
    settings.REGISTRY_VAULT = {"KEK": new}
    assert MARKER in document_text(Document.objects.get(pk=doc.pk))
    assert do_read_document(doc.pk, actor=clerk).content.startswith(b"%PDF")


def test_stamping_happens_after_the_number_and_entry_are_committed(clerk, keys, media, tmp_path, monkeypatch):
    """The copy number and its entry commit in a short transaction; stamping runs outside any transaction,
    so it never holds the database's write lock."""
    from registry import marking

    doc = register(clerk, tmp_path)
    seen = {}
    real = marking.stamp_pdf

    def watching(*args, **kwargs):
        # Inside the test's own wrapping transaction, no atomic block of the read may still be open.
        seen["depth"] = len(connection.savepoint_ids)
        seen["entries"] = AccessLogEntry.objects.filter(document_id=doc.pk, action=Action.DOWNLOAD).count()
        return real(*args, **kwargs)

    monkeypatch.setattr(marking, "stamp_pdf", watching)
    baseline = len(connection.savepoint_ids)
    copy = do_read_document(doc.pk, actor=clerk)
    assert seen == {"depth": baseline, "entries": 1} and copy.content.startswith(b"%PDF")
