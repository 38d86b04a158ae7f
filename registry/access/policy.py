"""Clearance and need-to-know, asked by every path (admin, API, CLI, search, audit, printouts).

A document exists for a user only if its level is at most the user's clearance and, for ``toi_mat`` and
``tuyet_mat``, the user holds a live need-to-know grant for it or for its dossier. What does not exist for a
user answers 404 everywhere (``get_document_or_404``), never 403: a refusal must not confirm existence.
Administrator or superuser status does not lift clearance.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from registry.constants import LEVEL_RANK, NEED_TO_KNOW_LEVELS, Level, Role


class Perm(StrEnum):
    """What a user may do. Document-bound ones go through ``can``; the rest through ``can_do``."""

    VIEW = "view"  # see the record (metadata) of a document
    READ_CONTENT = "read_content"  # download / preview / print a marked copy
    REGISTER = "register"
    EDIT = "edit"
    VOID = "void"
    LIFECYCLE = "lifecycle"  # copies, hand-overs, loans, level changes, destruction
    PRINT_BOOK = "print_book"
    SEARCH = "search"
    AUDIT = "audit"  # read the access log, run reports and verification
    MANAGE_USERS = "manage_users"
    GRANT = "grant"


ROLE_PERMS = {
    Role.CLERK: {Perm.VIEW, Perm.READ_CONTENT, Perm.REGISTER, Perm.EDIT, Perm.VOID, Perm.LIFECYCLE,
                 Perm.PRINT_BOOK, Perm.SEARCH},
    Role.STAFF: {Perm.VIEW, Perm.READ_CONTENT, Perm.SEARCH},
    # The security officer reads the log and the records it names, but changes nothing.
    Role.AUDITOR: {Perm.VIEW, Perm.AUDIT, Perm.SEARCH},
    # The administrator manages people and grants; the log is out of reach (append-only, auditor-only).
    Role.ADMIN: {Perm.VIEW, Perm.SEARCH, Perm.MANAGE_USERS, Perm.GRANT},
}
DOCUMENT_PERMS = {Perm.VIEW, Perm.READ_CONTENT, Perm.EDIT, Perm.VOID, Perm.LIFECYCLE}


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_do(user, perm: Perm) -> bool:
    """Role permission that does not concern one document (register, print books, audit, manage users)."""
    return _active(user) and Perm(perm) in ROLE_PERMS.get(user.role, set())


def visible_levels(user) -> list[str]:
    """Levels up to the user's clearance (need-to-know still applies to the top two)."""
    if not _active(user):
        return []
    return Level.at_most(user.clearance)


def _live_grants(user):
    from registry.models import Grant

    return Grant.objects.filter(user=user, revoked_at__isnull=True, valid_until__gte=timezone.localdate())


def visible_documents(user, queryset: QuerySet | None = None) -> QuerySet:
    """The documents that exist for ``user``: the QuerySet every listing, count and export starts from."""
    from registry.models import Document

    qs = Document.objects.all() if queryset is None else queryset
    levels = visible_levels(user)
    if not levels or not can_do(user, Perm.VIEW):
        return qs.none()
    open_levels = [lv for lv in levels if lv not in NEED_TO_KNOW_LEVELS]
    ntk_levels = [lv for lv in levels if lv in NEED_TO_KNOW_LEVELS]
    condition = Q(level__in=open_levels)
    if ntk_levels:
        grants = _live_grants(user)
        granted = Q(pk__in=grants.filter(document__isnull=False).values("document_id")) | Q(
            dossier_id__in=grants.filter(dossier__isnull=False).values("dossier_id")
        )
        condition |= Q(level__in=ntk_levels) & granted
    return qs.filter(condition)


def _document_visible(user, document) -> bool:
    if document.level not in visible_levels(user):
        return False
    if document.level not in NEED_TO_KNOW_LEVELS:
        return True
    grants = _live_grants(user)
    return grants.filter(Q(document_id=document.pk) | Q(dossier_id=document.dossier_id, dossier__isnull=False)).exists()


def can(user, perm: Perm, document) -> bool:
    """May ``user`` do ``perm`` to ``document``? False for anything the user may not even see."""
    perm = Perm(perm)
    if perm not in DOCUMENT_PERMS or not can_do(user, perm):
        return False
    if not _document_visible(user, document):
        return False
    if perm == Perm.READ_CONTENT and (document.destroyed_on or document.is_paper_only):
        return False
    if perm in (Perm.EDIT, Perm.VOID) and (document.voided or document.destroyed_on):
        return False
    return True


def get_document_or_404(user, pk, queryset: QuerySet | None = None):
    """The document if it exists for ``user``; otherwise Http404, exactly as for a document that does not exist."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such document") from None
    document = visible_documents(user, queryset).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document")
    return document


def requires_purpose(document) -> bool:
    """A stated purpose is required before reading ``toi_mat`` or ``tuyet_mat`` content."""
    return document.level in NEED_TO_KNOW_LEVELS


@dataclass(frozen=True)
class Principals:
    """What a search engine needs to trim results inside its own query (issue: clearance trimming)."""

    open_levels: tuple[str, ...]
    ntk_levels: tuple[str, ...]
    granted_document_ids: tuple[int, ...]
    granted_dossier_ids: tuple[int, ...]

    @property
    def empty(self) -> bool:
        return not self.open_levels and not (self.ntk_levels and (self.granted_document_ids or self.granted_dossier_ids))


def principals(user) -> Principals:
    levels = visible_levels(user) if can_do(user, Perm.SEARCH) else []
    ntk = tuple(lv for lv in levels if lv in NEED_TO_KNOW_LEVELS)
    doc_ids, dossier_ids = (), ()
    if ntk:
        grants = list(_live_grants(user).values_list("document_id", "dossier_id"))
        doc_ids = tuple(sorted({d for d, _ in grants if d}))
        dossier_ids = tuple(sorted({s for _, s in grants if s}))
    return Principals(tuple(lv for lv in levels if lv not in NEED_TO_KNOW_LEVELS), ntk, doc_ids, dossier_ids)


def level_rank(level) -> int:
    return LEVEL_RANK[str(level)]
