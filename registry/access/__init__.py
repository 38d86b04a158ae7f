"""The clearance policy: the one place that decides who may see and do what. Every path asks it."""

from .policy import (
    Perm,
    can,
    can_do,
    get_document_or_404,
    principals,
    requires_purpose,
    visible_documents,
    visible_levels,
)

__all__ = [
    "Perm",
    "can",
    "can_do",
    "get_document_or_404",
    "principals",
    "requires_purpose",
    "visible_documents",
    "visible_levels",
]
