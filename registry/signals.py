"""Signals the registry sends after commit; the search package listens (connected in its AppConfig)."""

from django.dispatch import Signal

# Sent after the transaction that created or changed a document commits. Args: document_id.
document_changed = Signal()

# Sent from on_commit after a document's content was destroyed (lifecycle destruction). Args: document_id.
# Receivers remove what they hold of it for good: the search index entry, the document's data keys
# (encryption at rest), cached copies. The record and its history stay.
document_destroyed = Signal()
