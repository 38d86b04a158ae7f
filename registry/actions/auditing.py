"""Actions of the audit workspace: every access-log entry that auditing writes is written here.

Views and ``registry audit`` subcommands parse input, call one of these, and render. A read of the log
(``do_log_audit_view``) or a download of it (``do_log_audit_export``) writes its entry *before* the data is
produced: a report whose entry cannot be written is not produced. Verification is the one exception
(``do_verify_chain``): it must report a tampered log, so it computes the verdict first and then tries to log
itself; if the log refuses the entry (a forged row holding the next seq, a broken head) the verdict is still
returned, with ``logged=False``.
"""

from dataclasses import dataclass

from django.db import DatabaseError, transaction

from registry.actions.guard import refuse
from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action, Outcome
from registry.errors import ErrorCode


def do_log_audit_view(actor, *, ctx: RequestContext | None = None, page: str, document=None, **details):
    """One AUDIT_VIEW entry for a page, report or CLI listing of the log (filters in ``extra``)."""
    return record(Action.AUDIT_VIEW, actor=actor, ctx=ctx, document=document, extra={"page": page, **details})


def do_log_audit_export(actor, *, ctx: RequestContext | None = None, page: str, document=None, **details):
    """One AUDIT_EXPORT entry for a download or file written from the log (format and filters in ``extra``)."""
    return record(Action.AUDIT_EXPORT, actor=actor, ctx=ctx, document=document, extra={"page": page, **details})


def refuse_hidden_document(actor, document_id, *, ctx: RequestContext | None = None, action=Action.AUDIT_VIEW):
    """A document above the auditor's clearance: one refusal entry by requested id, then NotFoundError."""
    refuse(action, actor=actor, ctx=ctx, reason=ErrorCode.NOT_FOUND, requested_id=document_id)


@dataclass(frozen=True)
class Verification:
    result: object  # registry.audit.verify.VerificationResult
    logged: bool
    log_error: str = ""


def do_verify_chain(*, actor=None, ctx: RequestContext | None = None, chunk_size: int | None = None) -> Verification:
    """Verify the chain (verdict first), then record AUDIT_VERIFY; never raises because the log is broken."""
    from registry.audit.verify import CHUNK_SIZE, check_chain

    result = check_chain(chunk_size=chunk_size or CHUNK_SIZE)
    try:
        with transaction.atomic():
            record(Action.AUDIT_VERIFY, actor=actor, ctx=ctx, outcome=Outcome.OK if result.ok else Outcome.ERROR,
                   result_count=result.entries, extra=result.as_log_extra())
    except DatabaseError as error:  # IntegrityError included: a forged row holds the seq we would take
        return Verification(result, False, f"{type(error).__name__}: {error}"[:300])
    return Verification(result, True)


def do_sign_checkpoint(*, actor=None, ctx: RequestContext | None = None):
    """Sign the chain head now and log AUDIT_CHECKPOINT, in one transaction under the chain lock.

    The head is signed before its own entry is written (registry.audit.checkpoints): the checkpoint covers
    entries 1..N, its entry is N+1 and names it.
    """
    from registry.audit.checkpoints import create_signed_checkpoint

    with transaction.atomic():
        checkpoint = create_signed_checkpoint(actor=actor)
        record(Action.AUDIT_CHECKPOINT, actor=actor, ctx=ctx,
               extra={"checkpoint_id": checkpoint.pk, "seq": checkpoint.seq, "head_hash": checkpoint.head_hash,
                      "key_id": checkpoint.key_id})
    return checkpoint
