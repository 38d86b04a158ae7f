"""The state-secret rules as data, versioned by the date they came into force (domain.md §1, §4, §5).

``rules_on(day)`` answers with the rule set in force on ``day`` (the relevant date: the date a level was
decided for terms, the date of the act for the summary rule, the book's year for layouts). The figures
come from secondary sources (domain.md marks them "verify"): amend this table, not the code, when the law
changes. Pure Python: settings may import it.
"""

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["RULESETS", "RuleSet", "rules_on", "summary_rules_setting"]


@dataclass(frozen=True)
class RuleSet:
    effective: dt.date
    name: str
    base_terms: dict  # level -> years
    extension_window_days: int  # an extension is decided at least this many days before expiry
    extension_max_years: dict  # level -> years per extension (at most the base term)
    notice_days: int  # holders are notified of a change within this many days
    tuyet_mat_summary: str  # "authorised_only" | "never"
    yearly_report_due: tuple  # (month, day) the yearly statistics are due
    loan_reminder_days: int
    registers: dict = field(default_factory=dict)  # book -> column headers
    forms: dict = field(default_factory=dict)  # book -> statutory form name

    def base_term(self, level: str) -> int | None:
        return self.base_terms.get(str(level))

    def max_term(self, level: str) -> int | None:
        """The longest term a level may carry when decided: its base term (extensions come later)."""
        return self.base_terms.get(str(level))


_TERMS = {"mat": 10, "toi_mat": 20, "tuyet_mat": 30}

_COPY_COLUMNS = ["STT", "Ngày sao", "Tài liệu gốc (tên loại, số, ngày, cơ quan ban hành, trích yếu)", "Độ mật",
                 "Hình thức", "Số lượng", "Người cho phép", "Người sao", "Nơi nhận", "Ghi chú"]
_HANDOVER_COLUMNS = ["Ngày chuyển", "Số, ký hiệu", "Độ mật", "Người nhận", "Ký nhận", "Ghi chú"]
_USE_COLUMNS = ["Ngày", "Người sử dụng", "Tài liệu (số, ngày)", "Tên loại và trích yếu", "Hồ sơ", "Ký nhận",
                "Ngày trả", "Người cho phép", "Ghi chú"]

RULESETS = [
    RuleSet(
        effective=dt.date(2020, 7, 1),
        name="Luật Bảo vệ bí mật nhà nước 2018; Nghị định 26/2020/NĐ-CP; Thông tư 24/2020/TT-BCA",
        base_terms=dict(_TERMS),
        extension_window_days=60,
        extension_max_years=dict(_TERMS),
        notice_days=15,
        tuyet_mat_summary="authorised_only",
        yearly_report_due=(12, 20),
        loan_reminder_days=1,
        registers={"copies": _COPY_COLUMNS, "handovers": _HANDOVER_COLUMNS, "use": _USE_COLUMNS},
        forms={"copies": "Sổ quản lý sao, chụp tài liệu, vật chứa bí mật nhà nước (mẫu số 02, TT 24/2020/TT-BCA)",
               "handovers": "Sổ chuyển giao bí mật nhà nước (mẫu số 04, TT 24/2020/TT-BCA)",
               "use": "Sổ theo dõi sử dụng bản lưu tài liệu bí mật nhà nước (mẫu số 05, TT 24/2020/TT-BCA)"},
    ),
    RuleSet(
        effective=dt.date(2026, 3, 1),
        name="Quy định về bảo vệ bí mật nhà nước có hiệu lực từ 01/3/2026",
        base_terms=dict(_TERMS),
        extension_window_days=60,
        extension_max_years=dict(_TERMS),
        notice_days=15,
        tuyet_mat_summary="never",
        yearly_report_due=(12, 20),
        loan_reminder_days=1,
        registers={"copies": _COPY_COLUMNS, "handovers": _HANDOVER_COLUMNS, "use": _USE_COLUMNS},
        forms={"copies": "Sổ quản lý sao, chụp tài liệu, vật chứa bí mật nhà nước",
               "handovers": "Sổ chuyển giao bí mật nhà nước",
               "use": "Sổ theo dõi sử dụng bản lưu tài liệu bí mật nhà nước"},
    ),
]


def rules_on(day: dt.date | None = None) -> RuleSet:
    """The rule set in force on ``day`` (today when omitted); before the first, the first."""
    if day is None:
        day = dt.date.today()
    if isinstance(day, dt.datetime):
        day = day.date()
    current = RULESETS[0]
    for ruleset in sorted(RULESETS, key=lambda r: r.effective):
        if ruleset.effective <= day:
            current = ruleset
    return current


def summary_rules_setting() -> list[dict]:
    """The ``settings.REGISTRY_SUMMARY_RULES`` shape that registration reads, derived from the table above."""
    return [{"effective": r.effective.isoformat(), "tuyet_mat_summary": r.tuyet_mat_summary} for r in RULESETS]
