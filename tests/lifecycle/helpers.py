"""The office's approval authority for lifecycle tests: who may approve what, as data."""

import datetime as dt

from registry.actions.approvals import ApprovalInput, do_add_authority, do_add_delegation, do_add_position
from registry.constants import Level, Role
from registry.models import ApprovalAct
from tests.factories import make_user

LONG_AGO = dt.date(2015, 1, 1)


def setup_office():
    """The secretary (Bí thư) approves every act up to tuyet_mat; the chief of office (Chánh Văn phòng)
    approves copies, hand-overs, loans and meetings up to mat only; the deputy (Phó Bí thư) holds a written
    delegation from the secretary that ended in 2020."""
    bithu = make_user("bithu", role=Role.STAFF, clearance=Level.TUYET_MAT)
    chanhvp = make_user("chanhvp", role=Role.STAFF, clearance=Level.MAT)
    phobithu = make_user("phobithu", role=Role.STAFF, clearance=Level.TUYET_MAT)
    do_add_position(bithu, position="Bí thư", valid_from=LONG_AGO)
    do_add_position(chanhvp, position="Chánh Văn phòng", valid_from=LONG_AGO)
    for act in ApprovalAct.values:
        do_add_authority(act=act, max_level=Level.TUYET_MAT, position="Bí thư", valid_from=LONG_AGO,
                         basis="Quy chế bảo vệ BMNN của Đảng ủy")
    for act in (ApprovalAct.COPY, ApprovalAct.HAND_OVER, ApprovalAct.LOAN, ApprovalAct.MEETING):
        do_add_authority(act=act, max_level=Level.MAT, position="Chánh Văn phòng", valid_from=LONG_AGO)
    do_add_delegation(delegator=bithu, delegate=phobithu, acts=list(ApprovalAct.values), max_level=Level.TUYET_MAT,
                      reference="05-UQ/ĐU", valid_from=dt.date(2019, 1, 1), valid_until=dt.date(2020, 12, 31))
    return {"bithu": bithu, "chanhvp": chanhvp, "phobithu": phobithu}


def by(user, ref="", on=None, papers=()):
    return ApprovalInput(approver=user, decision_ref=ref, approved_on=on, papers=tuple(papers))
