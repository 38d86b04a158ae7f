"""do_read_document / do_view_document: the policy decides, each read writes exactly one entry, refusals are logged."""

import pytest

from registry.actions.reading import do_read_document, do_view_document
from registry.constants import Action, Level, Outcome, Role
from registry.errors import ErrorCode, NotFoundError, PermissionDeniedError, RegistryError
from registry.marking import read_copy_id
from registry.models import AccessLogEntry
from tests.factories import grant, make_document, make_user
from tests.marking.pdfs import make_pdf_document

pytestmark = pytest.mark.django_db


def _new_entries(before):
    return list(AccessLogEntry.objects.filter(seq__gt=before).order_by("seq"))


def _head():
    return AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_download_writes_one_entry_with_the_copy_id(clerk):
    doc = make_pdf_document(clerk=clerk, level=Level.MAT)
    reader = make_user(role=Role.STAFF, clearance=Level.MAT)
    before = _head()
    first = do_read_document(doc.pk, actor=reader, purpose="Chuẩn bị họp")
    second = do_read_document(doc.pk, actor=reader, action=Action.PRINT)
    entries = _new_entries(before)
    assert [(e.action, e.outcome) for e in entries] == [(Action.DOWNLOAD, Outcome.OK), (Action.PRINT, Outcome.OK)]
    assert entries[0].pk == first.entry_id and entries[0].copy_id == first.copy_id
    assert entries[0].document_id == doc.pk and entries[0].document_level == Level.MAT
    assert entries[0].purpose == "Chuẩn bị họp"
    assert (first.copy_number, second.copy_number) == (1, 2)
    assert first.copy_id != second.copy_id and first.password is None
    assert first.content.startswith(b"%PDF") and read_copy_id(first.content) == first.copy_id
    assert first.filename.endswith(".pdf")


@pytest.mark.parametrize("level", [Level.TOI_MAT, Level.TUYET_MAT])
def test_purpose_required_for_the_top_levels(clerk, level):
    doc = make_pdf_document(clerk=clerk, level=level)
    reader = make_user(role=Role.STAFF, clearance=Level.TUYET_MAT)
    grant(reader, doc)
    before = _head()
    with pytest.raises(RegistryError) as err:
        do_read_document(doc.pk, actor=reader, purpose="   ")
    assert err.value.code == ErrorCode.PURPOSE_REQUIRED
    copy = do_read_document(doc.pk, actor=reader, purpose="Thẩm định hồ sơ nhân sự")
    entries = _new_entries(before)
    assert [(e.action, e.outcome, e.document_id) for e in entries] == [
        (Action.DOWNLOAD, Outcome.REFUSED, doc.pk),
        (Action.DOWNLOAD, Outcome.OK, doc.pk),
    ]
    assert entries[1].copy_id == copy.copy_id and copy.copy_number == 1  # the refusal used no copy number


def test_mat_needs_no_purpose(clerk):
    doc = make_pdf_document(clerk=clerk, level=Level.MAT)
    copy = do_read_document(doc.pk, actor=make_user(clearance=Level.MAT))
    assert copy.copy_number == 1


@pytest.mark.parametrize("case", ["above_clearance", "no_grant", "missing", "garbage"])
def test_hidden_and_missing_are_refused_alike_and_leak_nothing(clerk, case):
    doc = make_pdf_document(clerk=clerk, level=Level.TOI_MAT if case == "no_grant" else Level.MAT)
    reader = make_user(clearance=Level.TOI_MAT if case == "no_grant" else Level.THUONG)
    requested = {"missing": doc.pk + 1000, "garbage": "abc"}.get(case, doc.pk)
    before = _head()
    with pytest.raises(NotFoundError) as err:
        do_read_document(requested, actor=reader, purpose="x")
    assert err.value.as_dict() == NotFoundError("tài liệu").as_dict()
    (entry,) = _new_entries(before)
    assert entry.outcome == Outcome.REFUSED and entry.action == Action.DOWNLOAD
    assert entry.document_id is None and entry.document_level == "" and entry.copy_id == ""
    assert entry.extra["requested_id"] == str(requested)
    assert doc.title not in str(entry.extra)


def test_auditor_and_paper_only_may_not_read_content(clerk):
    doc = make_pdf_document(clerk=clerk, level=Level.MAT)
    paper = make_document(clerk=clerk, level=Level.MAT)
    auditor = make_user(role=Role.AUDITOR, clearance=Level.MAT)
    staff = make_user(clearance=Level.MAT)
    before = _head()
    with pytest.raises(PermissionDeniedError):
        do_read_document(doc.pk, actor=auditor)
    with pytest.raises(PermissionDeniedError):
        do_read_document(paper.pk, actor=staff)
    entries = _new_entries(before)
    assert [(e.outcome, e.document_id) for e in entries] == [(Outcome.REFUSED, doc.pk), (Outcome.REFUSED, paper.pk)]


def test_only_content_actions_are_accepted(clerk):
    doc = make_pdf_document(clerk=clerk, level=Level.THUONG)
    with pytest.raises(ValueError):
        do_read_document(doc.pk, actor=clerk, action=Action.EDIT)


def test_view_record_writes_one_view_entry(clerk):
    doc = make_document(clerk=clerk, level=Level.MAT)
    staff = make_user(clearance=Level.MAT)
    low = make_user(clearance=Level.THUONG)
    before = _head()
    assert do_view_document(doc.pk, actor=staff) == doc
    with pytest.raises(NotFoundError):
        do_view_document(doc.pk, actor=low)
    entries = _new_entries(before)
    assert [(e.action, e.outcome, e.document_id) for e in entries] == [
        (Action.VIEW, Outcome.OK, doc.pk),
        (Action.VIEW, Outcome.REFUSED, None),
    ]


def test_no_content_when_the_entry_cannot_be_written(clerk, monkeypatch):
    import registry.actions.reading as reading
    from registry.models import NumberSequence

    doc = make_pdf_document(clerk=clerk, level=Level.MAT)

    def broken(*args, **kwargs):
        raise RuntimeError("log unavailable")

    monkeypatch.setattr(reading, "record", broken)
    with pytest.raises(RuntimeError):
        do_read_document(doc.pk, actor=clerk)
    # The copy number was given back with the rolled-back transaction.
    assert not NumberSequence.objects.filter(key=f"copy:{doc.pk}", next_value__gt=1).exists()


def test_damaged_rendition_is_an_error_on_record(clerk):
    from registry.marking import StampError

    doc = make_pdf_document(clerk=clerk, level=Level.MAT, content=b"%PDF-1.4 garbage that is not a PDF")
    before = _head()
    with pytest.raises(StampError):
        do_read_document(doc.pk, actor=clerk)
    # The number and its entry were committed before stamping (outside the write transaction); the failed
    # stamping is a second entry for the same copy id.
    issued, failed = _new_entries(before)
    assert (issued.outcome, issued.document_id) == (Outcome.OK, doc.pk) and issued.copy_id
    assert (failed.outcome, failed.document_id, failed.copy_id) == (Outcome.ERROR, doc.pk, issued.copy_id)
    assert failed.extra["reason"] == "document_damaged" and failed.extra["stamped"] is False


def test_missing_file_is_an_error_on_record(clerk):
    from django.core.files.storage import default_storage

    doc = make_pdf_document(clerk=clerk, level=Level.MAT)
    default_storage.delete(doc.rendition.name)
    before = _head()
    with pytest.raises(RegistryError) as err:
        do_read_document(doc.pk, actor=clerk)
    assert err.value.code == ErrorCode.STORAGE_FAILED
    assert [e.outcome for e in _new_entries(before)] == [Outcome.ERROR]
