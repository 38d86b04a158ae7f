"""``registry approvals``: the approval authority data (who may approve which act, up to which level).

    registry approvals add --kind authority --act ACT --max-level LEVEL --position "Bí thư" [--unit CODE]
                           [--from D] [--until D] [--basis "…"] [--json]
    registry approvals add --kind position --user USER --position "Bí thư" [--unit CODE] [--from D] [--until D]
    registry approvals add --kind delegation --delegator USER --delegate USER --act ACT [--act …]
                           --max-level LEVEL --reference "05-UQ/ĐU" [--from D] [--until D]
    registry approvals list [--all] [--json]
"""

from registry.actions.approvals import do_add_authority, do_add_delegation, do_add_position
from registry.constants import Level
from registry.errors import MetadataError
from registry.management.commands._lifecycle_cli import LifecycleCommand, parse_date
from registry.models import ApprovalAct, ApprovalAuthority, Delegation, PositionHolder


def _d(value):
    return value.isoformat() if value else None


def authority_dict(a):
    return {"id": a.pk, "act": a.act, "max_level": a.max_level, "position": a.position,
            "unit": a.unit.code if a.unit_id else None, "valid_from": _d(a.valid_from), "valid_until": _d(a.valid_until),
            "retired": a.retired_at is not None, "previous": a.previous_id, "basis": a.basis}


def position_dict(p):
    return {"id": p.pk, "user": p.user.username, "position": p.position, "unit": p.unit.code if p.unit_id else None,
            "valid_from": _d(p.valid_from), "valid_until": _d(p.valid_until), "retired": p.retired_at is not None}


def delegation_dict(d):
    return {"id": d.pk, "delegator": d.delegator.username, "delegate": d.delegate.username, "acts": d.acts,
            "max_level": d.max_level, "reference": d.reference, "valid_from": _d(d.valid_from),
            "valid_until": _d(d.valid_until), "retired": d.retired_at is not None}


class Command(LifecycleCommand):
    help = "Thẩm quyền phê duyệt: chức vụ, thẩm quyền theo việc và độ mật, ủy quyền."
    command_name = "approvals"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        add = sub.add_parser("add")
        add.add_argument("--kind", choices=["authority", "position", "delegation"], default="authority")
        add.add_argument("--act", action="append", default=[], choices=ApprovalAct.values)
        add.add_argument("--max-level", default="", choices=["", *Level.values])
        add.add_argument("--position", default="")
        add.add_argument("--unit", default="")
        add.add_argument("--user", default="")
        add.add_argument("--delegator", default="")
        add.add_argument("--delegate", default="")
        add.add_argument("--reference", default="")
        add.add_argument("--basis", default="")
        add.add_argument("--from", dest="valid_from", default="")
        add.add_argument("--until", dest="valid_until", default="")
        add.add_argument("--json", action="store_true")
        ls = sub.add_parser("list")
        ls.add_argument("--all", action="store_true", help="cả các phiên bản đã thay thế")
        ls.add_argument("--json", action="store_true")

    def _add(self, o):
        dates = {"valid_from": parse_date(o["valid_from"], "from"), "valid_until": parse_date(o["valid_until"], "until")}
        ctx = self.ctx()
        if o["kind"] == "position":
            row = do_add_position(self.user(o["user"]), position=o["position"], unit=o["unit"] or None, ctx=ctx, **dates)
            return self.emit(o, position_dict(row), f"Đã ghi chức vụ #{row.pk}.")
        if not o["act"]:
            raise MetadataError("Thiếu việc (--act).", field="act")
        if o["kind"] == "delegation":
            row = do_add_delegation(delegator=self.user(o["delegator"], "delegator"),
                                    delegate=self.user(o["delegate"], "delegate"), acts=o["act"],
                                    max_level=o["max_level"], reference=o["reference"], ctx=ctx, **dates)
            return self.emit(o, delegation_dict(row), f"Đã ghi ủy quyền #{row.pk}.")
        rows = [do_add_authority(act=act, max_level=o["max_level"], position=o["position"], unit=o["unit"] or None,
                                 basis=o["basis"], ctx=ctx, **dates) for act in o["act"]]
        self.emit(o, {"authorities": [authority_dict(r) for r in rows]}, f"Đã ghi {len(rows)} thẩm quyền.")

    def _list(self, o):
        def live(qs):
            return qs if o["all"] else qs.filter(retired_at__isnull=True)

        data = {
            "authorities": [authority_dict(a) for a in live(ApprovalAuthority.objects.select_related("unit"))],
            "positions": [position_dict(p) for p in live(PositionHolder.objects.select_related("user", "unit"))],
            "delegations": [delegation_dict(d) for d in live(Delegation.objects.select_related("delegator", "delegate"))],
        }
        lines = [f"{a['position']}: {a['act']} ≤ {a['max_level']} ({a['valid_from']}–{a['valid_until'] or '…'})"
                 for a in data["authorities"]]
        lines += [f"{p['user']} — {p['position']}" for p in data["positions"]]
        lines += [f"{d['reference']}: {d['delegator']} → {d['delegate']} {d['acts']}" for d in data["delegations"]]
        self.emit(o, data, "\n".join(lines) or "Chưa có dữ liệu thẩm quyền.")
