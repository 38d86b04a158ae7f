"""Each refusal kind writes its one log entry, of the guard's one shape (issue #8): outcome ``refused``,
``extra.reason`` = the error code, the document named only when the actor may see it (else
``extra.requested_id``, or ``extra.hidden_id`` for another document), and the typed error raised."""

import datetime as dt

import pytest
from django.utils import timezone

from registry.actions.documents import do_edit_document, do_void_entry
from registry.actions.people import do_add_grant
from registry.actions.reading import do_read_document, do_view_document
from registry.audit.redact import Redactor
from registry.constants import Action, Level, Role
from registry.errors import ErrorCode, NotFoundError, RegistryError
from registry.intake import register_paper
from tests.factories import grant, make_document, make_user
from tests.marking.pdfs import make_pdf_document
from tests.security.guard_helpers import (
    assert_names_nothing,
    head,
    low_clerk,
    one_refusal,
    plain_meta,
    secret_meta,
    top_clerk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    clerk = top_clerk()
    return {
        "clerk": clerk,
        "low": low_clerk(),
        "staff": make_user("canbo_kinds", role=Role.STAFF, clearance=Level.TUYET_MAT),
        "auditor": make_user("kiemtra_kinds", role=Role.AUDITOR, clearance=Level.MAT),
        "admin": make_user("quantri_kinds", role=Role.ADMIN, clearance=Level.TUYET_MAT),
        "secret": make_document(clerk=clerk, level=Level.TUYET_MAT, title="Tuyệt mật lokikinds"),
        "toi_mat": make_pdf_document(clerk=clerk, level=Level.TOI_MAT, title="Tối mật lokikinds"),
        "mat": make_pdf_document(clerk=clerk, level=Level.MAT, title="Mật lokikinds"),
        "paper": make_document(clerk=clerk, level=Level.MAT, title="Bản giấy lokikinds"),
    }


def _nothing(w):
    return None


def _not_found(w):
    do_view_document(w["secret"].pk, actor=w["low"])


def _permission_denied(w):
    do_read_document(w["mat"].pk, actor=w["auditor"], purpose="Kiểm tra")  # auditing is not reading content


def _grant_toi_mat(w):
    grant(w["staff"], w["toi_mat"])


def _purpose_required(w):
    do_read_document(w["toi_mat"].pk, actor=w["staff"], purpose="")


def _void_once(w):
    do_void_entry(w["mat"], "Nhầm", actor=w["low"])


def _void_stale_copy(w):
    stale = type(w["mat"]).objects.get(pk=w["mat"].pk)
    stale.voided = False  # a screen that loaded the entry before it was voided
    do_void_entry(stale, "Lần nữa", actor=w["low"])


def _invalid_metadata(w):
    register_paper(plain_meta(direction="ra"), actor=w["low"])


def _grant_secret_to_clerk(w):
    grant(w["clerk"], w["secret"])


def _summary_not_allowed(w):
    do_edit_document(w["secret"], {"summary": "Nội dung nhân sự"}, actor=w["clerk"])


def _issue_secret_number(w):
    register_paper(secret_meta(direction="di", number="9-QĐ/ĐU", doc_type="QĐ"), actor=w["clerk"])


def _number_in_use(w):
    register_paper(plain_meta(direction="di", number="9-QĐ/ĐU", doc_type="QĐ"), actor=w["low"])


def _self_grant(w):
    do_add_grant(w["admin"], document=w["mat"], until=timezone.localdate() + dt.timedelta(days=3),
                 reason="Tự cấp", actor=w["admin"])


# (reason, action, set-up (not counted), the refused attempt, what the entry must not name)
KINDS = [
    (ErrorCode.NOT_FOUND, Action.VIEW, _nothing, _not_found, "requested"),
    (ErrorCode.PERMISSION_DENIED, Action.DOWNLOAD, _nothing, _permission_denied, None),
    (ErrorCode.PURPOSE_REQUIRED, Action.DOWNLOAD, _grant_toi_mat, _purpose_required, None),
    (ErrorCode.INVALID_STATE, Action.VOID, _void_once, _void_stale_copy, None),
    (ErrorCode.INVALID_METADATA, Action.REGISTER, _nothing, _invalid_metadata, None),
    (ErrorCode.SUMMARY_NOT_ALLOWED, Action.EDIT, _grant_secret_to_clerk, _summary_not_allowed, None),
    (ErrorCode.NUMBER_IN_USE, Action.REGISTER, _issue_secret_number, _number_in_use, "hidden"),
    (ErrorCode.PERMISSION_DENIED, Action.GRANT, _nothing, _self_grant, None),
]


@pytest.mark.parametrize("reason,action,setup,attempt,naming", KINDS, ids=[f"{k[0]}-{k[1]}" for k in KINDS])
def test_each_refusal_kind_writes_one_entry_of_one_shape(world, reason, action, setup, attempt, naming):
    setup(world)
    before = head()
    with pytest.raises(RegistryError) as caught:
        attempt(world)
    assert caught.value.code == reason
    entry = one_refusal(before, action, reason)
    if naming == "requested":
        assert isinstance(caught.value, NotFoundError)
        assert_names_nothing(entry, world["secret"])
        assert entry.extra["requested_id"] == str(world["secret"].pk)
    elif naming == "hidden":
        assert entry.document_id is None and isinstance(entry.extra["hidden_id"], int)
        # An auditor cleared below the hidden document does not get its id either (registry.audit.redact).
        assert Redactor(world["auditor"]).entry_hidden(entry)
