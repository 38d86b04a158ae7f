"""A realistic access log for the audit tests: four units, two hundred people, documents of every level,
a month of ordinary reading inside working hours, and a handful of planted anomalies."""

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from registry.constants import Action, Level, Outcome, Role
from registry.models import Holiday, Loan, Unit
from tests.audit.helpers import local, plant
from tests.factories import make_document, make_user

UNITS = {"VP": "Văn phòng Đảng ủy", "BTC": "Ban Tổ chức", "UBKT": "Ủy ban Kiểm tra", "BTG": "Ban Tuyên giáo"}
LEVELS = [Level.THUONG, Level.MAT, Level.TOI_MAT, Level.TUYET_MAT]
PERIOD = (local(2020, 3, 1), local(2020, 4, 1))


def _read(user, doc, moment, action=Action.VIEW):
    return plant(action, moment, actor=user, document=doc, purpose="Nghiên cứu phục vụ đại hội")


@pytest.fixture
def realistic_log(db):
    for code, name in UNITS.items():
        Unit.objects.get_or_create(code=code, defaults={"name": name})
    clerk = make_user("vanthu_log", role=Role.CLERK, clearance=Level.TUYET_MAT, unit="VP")
    levels = itertools.cycle(LEVELS)
    docs = {code: [make_document(clerk=clerk, level=next(levels), unit=code) for _ in range(24 if code == "VP" else 6)]
            for code in UNITS}
    nounit_doc = make_document(clerk=clerk, level=Level.MAT)
    units = itertools.cycle(UNITS)
    people = [make_user(f"canbo{i:03d}", clearance=Level.TUYET_MAT, unit=next(units)) for i in range(200)]
    named = {name: make_user(name, clearance=Level.TUYET_MAT, unit=unit) for name, unit in [
        ("bulk", "VP"), ("near", "VP"), ("spread", "VP"), ("night", "BTC"), ("early", "UBKT"), ("weekend", "BTG"),
        ("holiday", "VP"), ("curious", "BTC"), ("refused", "BTG"), ("twice", "BTG"), ("split", "UBKT"),
        ("edge", "VP"), ("borrower_meeting", "BTC"), ("borrower_late", "UBKT"), ("borrower_ok", "VP"),
    ]}
    nounit = make_user("nounit", clearance=Level.TUYET_MAT, unit="")
    Holiday.objects.create(date=dt.date(2020, 3, 9), name="Nghỉ bù Ngày Quốc tế Phụ nữ")

    # Ordinary work: each person reads three documents of their own unit on a working day, in working hours.
    workdays = [dt.date(2020, 3, d) for d in (3, 4, 5, 10, 11, 12, 17, 18, 19, 24, 25, 26)]
    for i, person in enumerate(people):
        own = docs[person.unit.code]
        day = workdays[i % len(workdays)]
        for k in range(3):
            doc = own[(i + k) % len(own)]
            _read(person, doc, local(day.year, day.month, day.day, 8 + (i % 7), 5 + 15 * k),
                  action=[Action.VIEW, Action.DOWNLOAD, Action.PREVIEW][k])
    vp = docs["VP"]
    # bulk_read: 24 distinct documents of the reader's own unit in 37 minutes (some read twice).
    for k in range(30):
        _read(named["bulk"], vp[k % 24], local(2020, 3, 11, 9, 0) + dt.timedelta(minutes=k * 1.25))
    # Near miss: exactly 20 distinct in 60 minutes; spread: 24 documents over three hours.
    for k in range(20):
        _read(named["near"], vp[k], local(2020, 3, 12, 9, 0) + dt.timedelta(minutes=k * 3))
    for k in range(24):
        _read(named["spread"], vp[k], local(2020, 3, 17, 8, 0) + dt.timedelta(minutes=k * 8))
    # after_hours: evening, before 07:30, Saturday, holiday; the edges of the working day are not flagged.
    _read(named["night"], docs["BTC"][1], local(2020, 3, 12, 21, 5))
    _read(named["night"], docs["BTC"][2], local(2020, 3, 12, 21, 40))
    _read(named["early"], docs["UBKT"][0], local(2020, 3, 13, 7, 29, 59))
    _read(named["weekend"], docs["BTG"][0], local(2020, 3, 14, 10, 0))
    _read(named["holiday"], vp[5], local(2020, 3, 9, 10, 0))
    _read(named["edge"], vp[6], local(2020, 3, 13, 7, 30))
    _read(named["edge"], vp[7], local(2020, 3, 13, 16, 59, 59))
    # outside_unit: a BTC reader opens a VP document; empty units are ignored.
    _read(named["curious"], vp[8], local(2020, 3, 10, 10, 0))
    _read(nounit, vp[9], local(2020, 3, 10, 10, 0))
    _read(named["edge"], nounit_doc, local(2020, 3, 10, 11, 0))
    # Refused reads are not reads: a refused attempt on another unit's document flags nothing but refusals.
    for minute in (0, 10, 20):
        plant(Action.VIEW, local(2020, 3, 13, 9, minute), actor=named["refused"], document=vp[10],
              outcome=Outcome.REFUSED)
    for minute in (0, 10):
        plant(Action.DOWNLOAD, local(2020, 3, 13, 9, minute), actor=named["twice"], document=docs["BTG"][1],
              outcome=Outcome.REFUSED)
    for day, minute in ((18, 0), (18, 5), (19, 0)):
        plant(Action.VIEW, local(2020, 3, day, 9, minute), actor=named["split"], document=docs["UBKT"][1],
              outcome=Outcome.REFUSED)
    # Loans (rows of the past; the actions only lend from now on).
    recall_doc = make_document(clerk=clerk, level=Level.MAT, unit="BTC", recall=True)
    Loan.objects.create(document=recall_doc, borrower=named["borrower_meeting"], approved_by=clerk,
                        purpose="Phiên họp trù bị", out_at=local(2020, 3, 16, 8), due_at=local(2020, 3, 16, 17),
                        meeting_ends_at=local(2020, 3, 16, 11))
    Loan.objects.create(document=recall_doc, borrower=named["borrower_ok"], approved_by=clerk,
                        purpose="Phiên họp trù bị", out_at=local(2020, 3, 16, 8), due_at=local(2020, 3, 16, 17),
                        meeting_ends_at=local(2020, 3, 16, 11), returned_at=local(2020, 3, 16, 10, 50))
    Loan.objects.create(document=docs["UBKT"][2], borrower=named["borrower_late"], approved_by=clerk,
                        purpose="Thẩm tra", out_at=local(2020, 3, 2, 9), due_at=local(2020, 3, 20, 17))
    Loan.objects.create(document=docs["UBKT"][3], borrower=named["borrower_ok"], approved_by=clerk,
                        purpose="Thẩm tra", out_at=local(2020, 3, 2, 9), due_at=local(2020, 3, 20, 17),
                        returned_at=local(2020, 3, 19, 9))
    Loan.objects.create(document=docs["UBKT"][4], borrower=named["borrower_ok"], approved_by=clerk,
                        purpose="Thẩm tra", out_at=local(2020, 3, 25, 9), due_at=local(2020, 4, 10, 17))
    return SimpleNamespace(clerk=clerk, docs=docs, people=people, named=named, nounit=nounit,
                           recall_doc=recall_doc, period=PERIOD)


EXPECTED = {
    ("bulk_read", "bulk"),
    ("after_hours", "night"),
    ("after_hours", "early"),
    ("after_hours", "weekend"),
    ("after_hours", "holiday"),
    ("outside_unit", "curious"),
    ("repeated_refusals", "refused"),
    ("not_returned", "borrower_meeting"),
    ("overdue_loan", "borrower_late"),
}
