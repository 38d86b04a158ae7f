"""``registry tasks``: the background task runs, from the console (the server operator sees them all).

    registry tasks list [--state STATE] [--limit N] [--json]     latest runs first
    registry tasks retry RUN_ID [--actor NAME] [--json]           run a failed task again (one TASK_RETRY entry)
    registry tasks run-queued [--older-than SECONDS] [--stale-running-after SECONDS] [--json]
                                                                  dispatch runs left queued or waiting to retry
                                                                  (and, with the second option, runs stuck
                                                                  "running" that long: a worker was killed)

Console access is root: unlike the administrator's task list, nothing is hidden here. Exit status 1 when a
retry was refused (no such run, or a run that has not failed).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from registry.audit import timefmt
from registry.audit.context import RequestContext
from registry.models import TaskRun, TaskState
from registry.tasks.labels import task_label


def _first_line(text: str) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else ""


def run_as_dict(run: TaskRun) -> dict:
    return {
        "id": run.pk,
        "name": run.name,
        "label": task_label(run.name),
        "state": run.state,
        "attempts": run.attempts,
        "max_attempts": run.max_attempts,
        "progress_done": run.progress_done,
        "progress_total": run.progress_total,
        "document_id": run.document_id,
        "created_at": timefmt.iso(run.created_at) or None,
        "finished_at": timefmt.iso(run.finished_at) or None,
        "error": run.error,
    }


class Command(BaseCommand):
    help = "Tác vụ nền: xem danh sách, chạy lại tác vụ thất bại, chạy các tác vụ còn chờ."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        listing = sub.add_parser("list", help="các tác vụ gần nhất (mới nhất trước)")
        listing.add_argument("--state", choices=TaskState.values, default=None, help="chỉ tác vụ ở trạng thái này")
        listing.add_argument("--limit", type=int, default=50, help="tối đa N tác vụ (mặc định 50)")
        listing.add_argument("--json", action="store_true")
        retry = sub.add_parser("retry", help="chạy lại một tác vụ thất bại")
        retry.add_argument("run_id", type=int)
        retry.add_argument("--actor", default="", help="tên người thực hiện ghi vào nhật ký")
        retry.add_argument("--json", action="store_true")
        queued = sub.add_parser("run-queued", help="chạy các tác vụ còn chờ (tiến trình trước đã dừng)")
        queued.add_argument("--older-than", type=float, default=0.0,
                            help="chỉ tác vụ đã chờ ít nhất chừng ấy giây")
        queued.add_argument("--stale-running-after", type=float, default=None,
                            help="chạy lại cả tác vụ kẹt ở trạng thái đang chạy quá chừng ấy giây")
        queued.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        handler = {"list": self._list, "retry": self._retry, "run-queued": self._run_queued}[options["subcommand"]]
        return handler(options)

    def _list(self, options):
        runs = TaskRun.objects.all()
        if options["state"]:
            runs = runs.filter(state=options["state"])
        runs = list(runs[:max(0, options["limit"])])
        if options["json"]:
            self.stdout.write(json.dumps([run_as_dict(r) for r in runs], ensure_ascii=False))
            return
        if not runs:
            self.stdout.write("Chưa có tác vụ nào.")
            return
        header = ("#", "Tác vụ", "Trạng thái", "Lần chạy", "Tiến độ", "Tài liệu", "Tạo lúc", "Xong lúc", "Lỗi")
        rows = [header]
        for r in runs:
            progress = f"{r.progress_done}/{r.progress_total} ({r.percent}%)" if r.percent is not None else "—"
            rows.append((str(r.pk), task_label(r.name), str(r.get_state_display()), f"{r.attempts}/{r.max_attempts}",
                         progress, f"#{r.document_id}" if r.document_id is not None else "—",
                         timefmt.display(r.created_at), timefmt.display(r.finished_at) or "—",
                         _first_line(r.error)[:80]))
        widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths)]
            self.stdout.write("  ".join([*cells, row[-1]]).rstrip())
        self.stdout.write(str(timefmt.ZONE_NOTE))

    def _retry(self, options):
        from registry.actions.maintenance import do_retry_task

        run_id = options["run_id"]
        run = TaskRun.objects.filter(pk=run_id).first()
        if run is None:
            return self._refuse(options, f"Không có tác vụ #{run_id}.", "not_found")
        if not do_retry_task(run_id, actor=options["actor"] or None, ctx=RequestContext.for_cli("tasks retry")):
            return self._refuse(options, f"Tác vụ #{run_id} ({task_label(run.name)}) không ở trạng thái thất bại "
                                         f"nên không chạy lại.", "not_failed")
        run.refresh_from_db()  # inline mode: it has already run again by now
        if options["json"]:
            self.stdout.write(json.dumps({"retried": True, **run_as_dict(run)}, ensure_ascii=False))
        else:
            self.stdout.write(f"Đã xếp lại tác vụ #{run_id} ({task_label(run.name)}) để chạy lại; "
                              f"trạng thái hiện tại: {run.get_state_display()}.")

    def _refuse(self, options, message: str, code: str):
        if options["json"]:
            self.stdout.write(json.dumps({"retried": False, "error": code, "message": message}, ensure_ascii=False))
            raise SystemExit(1)
        raise CommandError(message)

    def _run_queued(self, options):
        from registry.tasks import run_queued

        ids = run_queued(older_than=options["older_than"], stale_running_after=options["stale_running_after"])
        if options["json"]:
            self.stdout.write(json.dumps({"dispatched": len(ids), "ids": ids}, ensure_ascii=False))
        else:
            self.stdout.write(f"Đã chuyển {len(ids)} tác vụ đi chạy." if ids else "Không có tác vụ nào đang chờ.")
