"""The only writer of the access log.

``record()`` appends one entry to the hash chain. It must run inside the transaction of the change it
records (it opens one if there is none), and it locks the chain head, so concurrent writers queue and the
chain never forks. If the entry cannot be written the exception propagates and the caller's read or change
is refused with it.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from registry.audit.chain import GENESIS_HASH, entry_hash
from registry.audit.context import RequestContext
from registry.constants import Outcome
from registry.models import AccessLogEntry, ChainHead


def _locked_head() -> ChainHead:
    try:
        return ChainHead.objects.select_for_update().get(pk=1)
    except ChainHead.DoesNotExist:
        try:
            with transaction.atomic():
                return ChainHead.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
        except IntegrityError:  # another writer created it first
            return ChainHead.objects.select_for_update().get(pk=1)


def record(
    action,
    *,
    actor=None,
    ctx: RequestContext | None = None,
    document=None,
    outcome=Outcome.OK,
    purpose: str = "",
    copy_id: str = "",
    query: str = "",
    result_count: int | None = None,
    extra: dict | None = None,
    document_level: str | None = None,
) -> AccessLogEntry:
    """Append one access-log entry and return it.

    ``document`` may be a Document or an id; its level at this moment is stored with the entry.
    """
    ctx = ctx or RequestContext()
    doc_id, level, unit = None, "", ""
    if document is not None:
        if isinstance(document, int):
            from registry.models import Document

            document = Document.objects.filter(pk=document).select_related("handling_unit").first() or document
        if isinstance(document, int):
            doc_id = document
        else:
            doc_id = document.pk
            level = document.level
            unit = document.handling_unit.code if document.handling_unit_id else ""
    if document_level is not None:
        level = document_level
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head = _locked_head()
        fields = {
            "seq": head.seq + 1,
            "at": timezone.now(),
            "actor_id": actor_obj.pk if actor_obj else None,
            "actor_username": (actor_obj.username if actor_obj else (actor if isinstance(actor, str) else "")),
            "actor_unit": (actor_obj.unit.code if actor_obj and actor_obj.unit_id else ""),
            "ip": ctx.ip,
            "user_agent": ctx.user_agent,
            "request_id": ctx.request_id,
            "action": str(action),
            "outcome": str(outcome),
            "document_id": doc_id,
            "document_level": str(level or ""),
            "document_unit": unit,
            "purpose": purpose or "",
            "copy_id": copy_id or "",
            "query": query or "",
            "result_count": result_count,
            "extra": extra or {},
            "prev_hash": head.hash,
        }
        fields["hash"] = entry_hash(fields)
        entry = AccessLogEntry.objects.create(**fields)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry
