"""`registry audit verify`: every kind of tampering is caught and the first broken entry is named."""

import io
import json
import os
import stat

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from registry.audit.chain import GENESIS_HASH
from registry.audit.checkpoints import (
    key_id_of,
    sign_checkpoint,
    signing_key,
    verify_export,
)
from registry.audit.log import record
from registry.audit.verify import check_chain, latest_verification, verify_chain
from registry.constants import Action, Level, Outcome, Role
from registry.models import AccessLogEntry, ChainHead, Checkpoint
from tests.factories import make_user
from tests.integrity.helpers import entry_at, rehash, sql, triggers_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keys_dir(settings, tmp_path):
    settings.REGISTRY_KEYS_DIR = tmp_path / "keys"
    return settings.REGISTRY_KEYS_DIR


@pytest.fixture
def log():
    """Ten entries by one auditor (seq 1..10 in an otherwise empty log)."""
    user = make_user("kiemtra", role=Role.AUDITOR, clearance=Level.MAT)
    start = AccessLogEntry.objects.count()
    for i in range(10 - start):
        record(Action.SEARCH, actor=user, query=f"tìm {i}", result_count=i, extra={"page": i, "b": [1, "x"]})
    assert AccessLogEntry.objects.count() == 10
    return user


def run_verify(*args):
    out = io.StringIO()
    try:
        call_command("audit", "verify", "--json", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def test_intact_chain_verifies_and_the_run_is_logged(log):
    code, result = run_verify()
    assert code == 0
    assert result == {"ok": True, "entries": 10, "first_broken": None, "problem": None}
    last = AccessLogEntry.objects.order_by("-seq").first()
    assert last.action == Action.AUDIT_VERIFY and last.seq == 11 and last.outcome == Outcome.OK
    assert last.extra["ok"] is True and last.extra["entries"] == 10 and last.extra["first_broken"] is None
    assert latest_verification()["ok"] is True
    # The verify entry is itself part of the chain the next run checks.
    assert run_verify()[1]["entries"] == 11


def test_empty_log_verifies():
    assert check_chain().as_dict() == {"ok": True, "entries": 0, "first_broken": None, "problem": None}


def test_edited_entry_is_named(log):
    victim = entry_at(4)
    with triggers_lifted():
        sql("UPDATE registry_accesslogentry SET purpose = %s WHERE id = %s", ["sửa lén", victim.pk])
    code, result = run_verify()
    assert code == 1 and result["ok"] is False
    assert result["first_broken"] == victim.pk and result["entries"] == 10
    assert "hash mismatch" in result["problem"]
    assert AccessLogEntry.objects.order_by("-seq").first().outcome == Outcome.ERROR


def test_edit_with_recomputed_hash_breaks_the_next_link(log):
    victim, after = entry_at(4), entry_at(5)
    with triggers_lifted():
        sql("UPDATE registry_accesslogentry SET purpose = %s, hash = %s WHERE id = %s",
            ["sửa lén", rehash(victim, purpose="sửa lén"), victim.pk])
    result = check_chain()
    assert not result.ok and result.first_broken == after.pk and "prev_hash mismatch" in result.problem


def test_deleted_entry_breaks_at_the_next_one(log):
    after = entry_at(7)
    with triggers_lifted():
        sql("DELETE FROM registry_accesslogentry WHERE seq = 6")
    code, result = run_verify()
    assert code == 1 and result["first_broken"] == after.pk and result["entries"] == 9
    assert "prev_hash mismatch" in result["problem"]


def test_deletion_with_relinked_successor_is_a_seq_gap(log):
    """Entry 6 deleted and entry 7 re-linked to entry 5 with a recomputed hash: the seq run gives it away."""
    five, seven = entry_at(5), entry_at(7)
    new_hash = rehash(seven, prev_hash=five.hash)
    with triggers_lifted():
        sql("DELETE FROM registry_accesslogentry WHERE seq = 6")
        sql("UPDATE registry_accesslogentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [five.hash, new_hash, seven.pk])
        sql("UPDATE registry_accesslogentry SET prev_hash = %s WHERE seq = 8", [new_hash])
    result = check_chain()
    assert not result.ok and result.first_broken == seven.pk and "seq gap" in result.problem


def test_inserted_entry_is_caught(log):
    """A forged entry slid between seq 5 and 6 (the tail renumbered, the forgery chained to seq 5)."""
    five, six = entry_at(5), entry_at(6)
    with triggers_lifted():
        sql("UPDATE registry_accesslogentry SET seq = -seq WHERE seq > 5")
        sql("UPDATE registry_accesslogentry SET seq = 1 - seq WHERE seq < 0")
        forged = dict(
            seq=6, at=five.at, actor_id=None, actor_username="ke_gian", actor_unit="", ip="", user_agent="",
            request_id="x", action=Action.DOWNLOAD, outcome=Outcome.OK, document_id=None, document_level="",
            document_unit="", purpose="", copy_id="", query="", result_count=None, extra={}, prev_hash=five.hash,
        )
        AccessLogEntry.objects.bulk_create([AccessLogEntry(**forged, hash=rehash(five, **forged))])
    result = check_chain()
    # The forgery links correctly to seq 5; the first entry that no longer fits is the real seq 6.
    assert not result.ok and result.first_broken == six.pk and result.first_broken_seq == 7


def test_forged_tail_entry_beyond_the_head_is_caught(log):
    last = entry_at(10)
    forged = dict(
        seq=11, at=last.at, actor_id=None, actor_username="ke_gian", actor_unit="", ip="", user_agent="",
        request_id="x", action=Action.DOWNLOAD, outcome=Outcome.OK, document_id=None, document_level="",
        document_unit="", purpose="", copy_id="", query="", result_count=None, extra={}, prev_hash=last.hash,
    )
    (row,) = AccessLogEntry.objects.bulk_create([AccessLogEntry(**forged, hash=rehash(last, **forged))])
    result = check_chain()
    assert not result.ok and result.first_broken == row.pk and "beyond the chain head" in result.problem


def test_reordered_entries_are_caught(log):
    three, four = entry_at(3), entry_at(4)
    with triggers_lifted():
        sql("UPDATE registry_accesslogentry SET seq = -1 WHERE id = %s", [three.pk])
        sql("UPDATE registry_accesslogentry SET seq = 3 WHERE id = %s", [four.pk])
        sql("UPDATE registry_accesslogentry SET seq = 4 WHERE id = %s", [three.pk])
    code, result = run_verify()
    assert code == 1 and result["first_broken"] == four.pk


def test_truncated_tail_is_caught_by_the_chain_head(log):
    with triggers_lifted():
        sql("DELETE FROM registry_accesslogentry WHERE seq > 8")
    code, result = run_verify()
    assert code == 1 and result["entries"] == 8 and result["first_broken"] is None
    assert "truncated tail" in result["problem"] and "seq 9" in result["problem"]


def test_truncation_hidden_from_the_head_is_caught_by_a_checkpoint(log):
    sign_checkpoint()  # covers seq 1..10; its own entry is seq 11
    eight = entry_at(8)
    with triggers_lifted():
        sql("DELETE FROM registry_accesslogentry WHERE seq > 8")
    ChainHead.objects.filter(pk=1).update(seq=8, hash=eight.hash)
    result = check_chain()
    assert not result.ok and result.first_broken is None
    assert "truncated tail" in result.problem and "checkpoint" in result.problem


def test_rewritten_history_is_caught_by_a_checkpoint(log):
    """An intruder rewrites entry 3 and recomputes every later hash and the head: only the signature knows."""
    checkpoint = sign_checkpoint()
    assert checkpoint.seq == 10
    entries = list(AccessLogEntry.objects.order_by("seq"))
    prev = entries[1].hash
    with triggers_lifted():
        for entry in entries[2:]:
            changes = {"prev_hash": prev}
            if entry.seq == 3:
                changes["actor_username"] = "nguoi_khac"
            new_hash = rehash(entry, **changes)
            sql("UPDATE registry_accesslogentry SET prev_hash = %s, hash = %s, actor_username = %s WHERE id = %s",
                [prev, new_hash, changes.get("actor_username", entry.actor_username), entry.pk])
            prev = new_hash
    ChainHead.objects.filter(pk=1).update(hash=prev)
    result = check_chain()
    assert not result.ok and result.first_broken == entry_at(10).pk
    assert "checkpoint" in result.problem and "mismatch" in result.problem


def test_tampered_signature_is_caught(log):
    checkpoint = sign_checkpoint()
    assert check_chain().ok
    forged = ("00" if checkpoint.signature[:2] != "00" else "11") + checkpoint.signature[2:]
    with triggers_lifted():
        sql("UPDATE registry_checkpoint SET signature = %s WHERE id = %s", [forged, checkpoint.pk])
    code, result = run_verify()
    assert code == 1 and result["first_broken"] is None and "bad signature" in result["problem"]


def test_checkpoint_signed_with_another_key_is_caught(log, keys_dir):
    sign_checkpoint()
    for path in keys_dir.iterdir():
        path.unlink()
    result = check_chain()
    assert not result.ok and "unknown key" in result.problem


def test_checkpoint_key_files_and_export(log, keys_dir, tmp_path):
    out = io.StringIO()
    target = tmp_path / "cp.json"
    call_command("audit", "checkpoint", "--json", "--export", str(target), stdout=out)
    shown = json.loads(out.getvalue())
    private, key_id = signing_key()
    assert key_id == key_id_of(private.public_key()) and len(key_id) == 16
    key_file = keys_dir / "checkpoint-ed25519.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert (keys_dir / f"{key_id}.pub").exists()
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["seq"] == 10 and exported["head_hash"] == entry_at(10).hash and exported["key_id"] == key_id
    assert {"public_key", "signature", "seq", "head_hash"} <= set(exported) and shown["signed_now"] is True
    assert verify_export(exported, expected_key_id=key_id)
    assert not verify_export({**exported, "head_hash": GENESIS_HASH})
    assert not verify_export({**exported, "seq": 9})
    # Signed before its own entry: the AUDIT_CHECKPOINT entry is seq 11 and names the checkpoint.
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry.action == Action.AUDIT_CHECKPOINT and entry.seq == 11
    assert entry.extra["checkpoint_id"] == exported["id"] and entry.extra["seq"] == 10
    # --if-new does not sign again when nothing happened since.
    out = io.StringIO()
    call_command("audit", "checkpoint", "--json", "--if-new", stdout=out)
    assert json.loads(out.getvalue())["signed_now"] is False and Checkpoint.objects.count() == 1
    assert check_chain().ok and check_chain().checkpoints == 1


def test_verify_as_a_non_auditor_is_refused(log):
    make_user("nhanvien", role=Role.STAFF)
    code, result = run_verify("--as", "nhanvien")
    assert code == 2 and result["error"]["code"] == "permission_denied"
    code, result = run_verify("--as", "kiemtra")
    assert code == 0 and AccessLogEntry.objects.order_by("-seq").first().actor_username == "kiemtra"


def test_verify_chain_for_the_ui(log):
    result = verify_chain(actor=log)
    assert result.ok and result.entries == 10 and result.head_seq == 10


def test_sqlite_refuses_update_and_delete_of_entries_and_checkpoints(log):
    sign_checkpoint()
    for statement in (
        "UPDATE registry_accesslogentry SET purpose = 'x'",
        "DELETE FROM registry_accesslogentry WHERE seq = 1",
        "UPDATE registry_checkpoint SET signature = 'x'",
        "DELETE FROM registry_checkpoint",
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            sql(statement)
    assert check_chain().ok
