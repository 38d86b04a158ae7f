"""``registry lifecycle run``: the scheduled work (declassification at term end, notices, extensions
falling due, loan reminders and overdue loans, meeting recalls, the 20/12 yearly report reminder).

    registry lifecycle run [--today YYYY-MM-DD] [--json]

Idempotent: run it every hour (cron: ``17 * * * * cd /srv/registry && .venv/bin/registry lifecycle run``);
a second run on the same day changes nothing; a run killed halfway is finished by the next.
"""

from registry.actions.secrecy import run_lifecycle
from registry.management.commands._lifecycle_cli import LifecycleCommand, parse_date


class Command(LifecycleCommand):
    help = "Việc định kỳ: giải mật khi hết hạn, thông báo, gia hạn sắp đến, nhắc trả, thu hồi, báo cáo năm."
    command_name = "lifecycle run"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        run = sub.add_parser("run")
        run.add_argument("--today", default="")
        run.add_argument("--json", action="store_true")

    def _run(self, o):
        report = run_lifecycle(parse_date(o["today"], "today"), ctx=self.ctx())
        text = (f"{report['today']}: giải mật {len(report['declassified'])}, thông báo mới {report['notices_created']}"
                f" (đang mở {report['notices_open']}, quá hạn {report['notices_overdue']}), sắp phải gia hạn "
                f"{len(report['extensions_due'])}, nhắc trả {len(report['loan_reminders'])}, quá hạn trả "
                f"{len(report['overdue_loans'])}, thu hồi {len(report['recalls'])}, việc mới {report['tasks_created']}")
        self.emit(o, report, text)
