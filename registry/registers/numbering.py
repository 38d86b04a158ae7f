"""Allocation of register serials and document numbers: atomic, unique, gapless, never reused.

Both take a row lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise
writers) and must run inside the transaction that creates the entry, so a rolled-back entry gives its
number back and the sequence stays gapless. A committed number is never changed; voiding keeps it.
"""

from django.conf import settings
from django.db import transaction

from registry.models import NumberSequence, RegisterBook


def book_for(direction: str, secret: bool, year: int) -> RegisterBook:
    book, _created = RegisterBook.objects.get_or_create(
        direction=direction,
        secret=secret,
        year=year,
        book_number=1,
        defaults={"body": settings.REGISTRY_BODY, "parent_body": settings.REGISTRY_PARENT_BODY},
    )
    return book


def allocate_serial(book: RegisterBook) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_serial must run inside the transaction that creates the entry")
    locked = RegisterBook.objects.select_for_update().get(pk=book.pk)
    serial = locked.next_serial
    locked.next_serial = serial + 1
    locked.save(update_fields=["next_serial"])
    return serial


def allocate_number(key: str) -> int:
    """Next value of a document-number sequence (party per type per term, congress, state per year)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_number must run inside the transaction that issues the number")
    NumberSequence.objects.get_or_create(key=key)
    seq = NumberSequence.objects.select_for_update().get(key=key)
    value = seq.next_value
    seq.next_value = value + 1
    seq.save(update_fields=["next_value"])
    return value


def party_sequence_key(type_code: str, term: str | None = None) -> str:
    return f"party:{type_code}:{term or settings.REGISTRY_TERM}"


def congress_sequence_key(term: str | None = None) -> str:
    return f"congress:{term or settings.REGISTRY_TERM}"


def state_sequence_key(year: int, issuer: str) -> str:
    return f"state:{year}:{issuer}"
