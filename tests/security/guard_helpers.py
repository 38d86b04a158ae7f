"""Helpers of the SEC-B attack tests (one guard, oracles, grants): a hidden document, log probes."""

import json

from registry.actions.documents import DocumentMetadata
from registry.constants import Level, Outcome, Role
from registry.models import AccessLogEntry
from tests.factories import make_user

OWN_ISSUER = "Đảng ủy Bộ Công Thương"
SECRET_TITLE = "Phương án nhân sự khóa mới lokiguard"


def head() -> int:
    return AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def entries_since(seq: int) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(seq__gt=seq).order_by("seq"))


def refused_since(seq: int) -> list[AccessLogEntry]:
    return [e for e in entries_since(seq) if e.outcome == Outcome.REFUSED]


def one_refusal(seq: int, action, reason) -> AccessLogEntry:
    """Exactly one new entry, REFUSED, for ``action``, with ``extra.reason`` = ``reason``: the guard's shape."""
    new = entries_since(seq)
    assert [(e.action, e.outcome) for e in new] == [(str(action), Outcome.REFUSED)], \
        f"expected one refused {action} entry, got {[(e.action, e.outcome, e.extra) for e in new]}"
    entry = new[0]
    assert entry.extra.get("reason") == str(reason), entry.extra
    return entry


def assert_names_nothing(entry, document) -> None:
    """A refusal about a document the actor may not see names it by id in ``extra`` only."""
    assert entry.document_id is None and entry.document_level == "" and entry.document_unit == ""
    text = json.dumps(entry.extra, ensure_ascii=False)
    assert document.title not in text and document.number_raw not in text


def top_clerk(username="vanthu_top"):
    return make_user(username, role=Role.CLERK, clearance=Level.TUYET_MAT)


def low_clerk(username="vanthu_mat"):
    return make_user(username, role=Role.CLERK, clearance=Level.MAT)


def secret_meta(**overrides) -> DocumentMetadata:
    values = dict(direction="den", level=Level.TUYET_MAT, number="77-BC/ĐU", doc_type="BC",
                  issuer=OWN_ISSUER, title=SECRET_TITLE)
    values.update(overrides)
    return DocumentMetadata(**values)


def plain_meta(**overrides) -> DocumentMetadata:
    values = dict(direction="den", level=Level.MAT, number="78-BC/ĐU", doc_type="BC", issuer=OWN_ISSUER,
                  title="Báo cáo thường kỳ")
    values.update(overrides)
    return DocumentMetadata(**values)
