"""Signals the registry sends after commit; the search package listens (connected in its AppConfig)."""

from django.dispatch import Signal

# Sent after the transaction that created or changed a document commits. Args: document_id.
document_changed = Signal()
