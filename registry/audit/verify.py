"""Verification of the access log: the hash chain, the chain head and the signed checkpoints.

``verify_chain()`` streams every entry in seq order (constant memory, so it scales to millions of rows),
recomputes each hash, checks each link and the seq run, then compares the end of the chain with the
ChainHead row and every signed checkpoint. It reports the first problem, naming the first broken entry by
its ``id``, and writes one AUDIT_VERIFY entry with the result (after verifying; the entry is not counted).

Problems, in the order they are looked for:
- hash mismatch: the entry's fields were edited (its stored hash no longer matches them);
- prev_hash mismatch: an entry was deleted, inserted or moved before this one;
- seq gap: seq numbers are not 1, 2, 3, … (an entry was removed or renumbered);
- checkpoint mismatch: a signed checkpoint names a different hash for its seq (history rewritten);
- truncated tail: fewer entries than the ChainHead row or than the last signed checkpoint
  (``first_broken`` is null: the missing entries have no id left to name; ``problem`` names the seq);
- chain head mismatch: the last entry is not what the ChainHead row records;
- bad signature: a checkpoint's Ed25519 signature does not verify (or its key is unknown).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC

from registry.audit.chain import GENESIS_HASH, HASHED_FIELDS
from registry.audit.context import RequestContext
from registry.constants import Action
from registry.models import AccessLogEntry, ChainHead, Checkpoint

CHUNK_SIZE = 5000
_SORTED_FIELDS = tuple(sorted(HASHED_FIELDS))


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    entries: int
    first_broken: int | None = None
    problem: str | None = None
    # Details for the UI (not part of the CLI's JSON contract).
    first_broken_seq: int | None = None
    checkpoints: int = 0
    last_checkpoint_seq: int | None = None
    head_seq: int = 0
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """Exactly the CLI's JSON: ok, entries, first_broken (entry id or null), problem (null when ok)."""
        return {"ok": self.ok, "entries": self.entries, "first_broken": self.first_broken, "problem": self.problem}

    def as_log_extra(self) -> dict:
        """What the AUDIT_VERIFY entry keeps in ``extra``: the CLI's four keys first, then the details."""
        data = asdict(self)
        data.pop("details")
        return data


def _fast_hash(row: tuple) -> str:
    """entry_hash() of a values_list row, same bytes as registry.audit.chain.canonical_payload."""
    payload = {}
    for name, value in zip(_SORTED_FIELDS, row):
        if name == "at":
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload[name] = value
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class _Problem:
    """The first problem found, ranked by where it is in the chain."""

    def __init__(self):
        self.rank = None
        self.entry_id = None
        self.seq = None
        self.message = None

    def offer(self, rank: float, message: str, *, entry_id=None, seq=None):
        if self.rank is None or rank < self.rank:
            self.rank, self.message, self.entry_id, self.seq = rank, message, entry_id, seq


def check_chain(*, chunk_size: int = CHUNK_SIZE) -> VerificationResult:
    """Check the log without writing anything (``verify_chain`` also records the result)."""
    from registry.audit.checkpoints import public_keys, signature_valid

    # Checkpoints first, then the head, then the entries: a checkpoint is never ahead of a head read after it,
    # and entries appended while we stream (seq > head) are left for the next run.
    checkpoints = list(Checkpoint.objects.order_by("seq", "id"))
    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, GENESIS_HASH)
    head_seq, head_hash = head
    wanted = {}
    for cp in checkpoints:
        wanted.setdefault(cp.seq, []).append(cp)

    problem = _Problem()
    columns = (*_SORTED_FIELDS, "id", "hash")
    rows = (
        AccessLogEntry.objects.filter(seq__lte=head_seq)
        .order_by("seq")
        .values_list(*columns)
        .iterator(chunk_size=chunk_size)
    )
    seq_index = _SORTED_FIELDS.index("seq")
    prev_index = _SORTED_FIELDS.index("prev_hash")
    nfields = len(_SORTED_FIELDS)
    expected_prev, expected_seq = GENESIS_HASH, 1
    count, last_seq, last_hash, broken = 0, 0, GENESIS_HASH, False
    for row in rows:
        count += 1
        seq, entry_id, stored = row[seq_index], row[nfields], row[nfields + 1]
        if not broken:
            if _fast_hash(row[:nfields]) != stored:
                problem.offer(seq, f"hash mismatch: entry {entry_id} (seq {seq}) was edited", entry_id=entry_id, seq=seq)
                broken = True
            elif row[prev_index] != expected_prev:
                problem.offer(seq, f"prev_hash mismatch at entry {entry_id} (seq {seq}): an entry before it was "
                                   "deleted, inserted or reordered", entry_id=entry_id, seq=seq)
                broken = True
            elif seq != expected_seq:
                problem.offer(seq, f"seq gap: expected seq {expected_seq}, found {seq} (entry {entry_id})",
                              entry_id=entry_id, seq=seq)
                broken = True
        if seq in wanted:
            for cp in wanted[seq]:
                if cp.head_hash != stored:
                    problem.offer(seq, f"checkpoint #{cp.pk} mismatch: signed hash at seq {seq} differs from "
                                       f"entry {entry_id}", entry_id=entry_id, seq=seq)
        expected_prev, expected_seq = stored, seq + 1
        last_seq, last_hash = seq, stored

    last_signed = max((cp.seq for cp in checkpoints), default=0)
    if last_signed > last_seq:
        problem.offer(last_seq + 1, f"truncated tail: {count} entries, last signed checkpoint covers seq "
                                    f"{last_signed}; entries from seq {last_seq + 1} are missing", seq=last_seq + 1)
    for cp in wanted.get(0, []):  # signed while the log was empty
        if cp.head_hash != GENESIS_HASH:
            problem.offer(0.5, f"checkpoint #{cp.pk} mismatch: signed an empty log with a non-genesis hash")
    if head_seq > last_seq:
        problem.offer(last_seq + 1, f"truncated tail: {count} entries, chain head records seq {head_seq}; entries "
                                    f"from seq {last_seq + 1} are missing", seq=last_seq + 1)
    elif head_hash != last_hash:
        problem.offer(float(head_seq) + 0.5, f"chain head mismatch: head records seq {head_seq} hash "
                                              f"{head_hash[:12]}…, last entry differs")
    # Entries beyond the head were not written by the log writer, which moves the head in the same transaction.
    # The entries are read before the head is read again, so one appended meanwhile is never taken for a forgery.
    newest = AccessLogEntry.objects.filter(seq__gt=head_seq).order_by("-seq").values_list("seq", flat=True).first()
    now_head = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    beyond = None
    if newest is not None and newest > now_head:
        beyond = AccessLogEntry.objects.filter(seq__gt=now_head).order_by("seq").values_list("id", "seq").first()
    if beyond:
        problem.offer(float(beyond[1]), f"entry {beyond[0]} (seq {beyond[1]}) lies beyond the chain head",
                      entry_id=beyond[0], seq=beyond[1])
    keys = public_keys()
    for cp in checkpoints:
        if not signature_valid(cp, keys):
            reason = "unknown key" if cp.key_id not in keys else "bad signature"
            problem.offer(float("inf"), f"{reason} on checkpoint #{cp.pk} (seq {cp.seq}, key {cp.key_id})")
    return VerificationResult(
        ok=problem.message is None,
        entries=count,
        first_broken=problem.entry_id,
        problem=problem.message,
        first_broken_seq=problem.seq,
        checkpoints=len(checkpoints),
        last_checkpoint_seq=last_signed if checkpoints else None,
        head_seq=head_seq,
    )


def verify_chain(*, actor=None, ctx: RequestContext | None = None, chunk_size: int = CHUNK_SIZE) -> VerificationResult:
    """Verify the whole log, then record the result as an AUDIT_VERIFY entry if the log still accepts one.

    Never raises because the log is tampered with (``registry.actions.auditing.do_verify_chain``).
    """
    from registry.actions.auditing import do_verify_chain

    return do_verify_chain(actor=actor, ctx=ctx, chunk_size=chunk_size).result


def latest_verification() -> dict | None:
    """The result recorded by the last verification (for the audit workspace's integrity panel), with its time."""
    entry = (
        AccessLogEntry.objects.filter(action=Action.AUDIT_VERIFY)
        .order_by("-seq")
        .values("id", "at", "actor_username", "extra")
        .first()
    )
    if entry is None:
        return None
    return {"entry_id": entry["id"], "at": entry["at"], "by": entry["actor_username"], **(entry["extra"] or {})}


__all__ = ["VerificationResult", "check_chain", "latest_verification", "verify_chain"]
