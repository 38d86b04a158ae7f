"""Shared plumbing of the auditor subcommands: ``--as USERNAME``, periods, JSON output and errors."""

import datetime as dt
import json

from django.utils import timezone

from registry.access import Perm, can_do
from registry.audit.context import RequestContext
from registry.errors import ErrorCode, MetadataError, PermissionDeniedError, RegistryError


def add_as_argument(parser):
    parser.add_argument("--as", dest="as_user", required=True, metavar="USERNAME",
                        help="cán bộ bảo vệ bí mật thực hiện (chỉ thấy những gì người này được thấy)")


def add_period_arguments(parser, *, required=True):
    parser.add_argument("--from", dest="date_from", required=required, help="từ ngày (YYYY-MM-DD, giờ địa phương)")
    parser.add_argument("--to", dest="date_to", required=required, help="đến hết ngày (YYYY-MM-DD)")


def add_filter_arguments(parser):
    """The log filters shared by ``report`` and ``export``."""
    parser.add_argument("--user", default="", help="tên đăng nhập người thực hiện")
    parser.add_argument("--unit", default="", help="mã đơn vị của người thực hiện")
    parser.add_argument("--document", type=int, default=None, help="số định danh tài liệu")
    parser.add_argument("--level", default="")
    parser.add_argument("--action", default="")
    parser.add_argument("--outcome", default="")


def log_filter(options):
    """A LogFilter from the shared filter options and the period."""
    from registry.audit.reports import LogFilter

    start, end = period(options)
    return LogFilter(user=options["user"], unit=options["unit"], document=options["document"],
                     level=options["level"], action=options["action"], outcome=options["outcome"],
                     start=start, end=end)


def auditor(options):
    """The user named by ``--as`` if it may audit; raises RegistryError otherwise."""
    from registry.models import User

    user = User.objects.filter(username=options["as_user"]).select_related("unit").first()
    if user is None:
        raise RegistryError(f"Không có người dùng «{options['as_user']}».", code=ErrorCode.UNKNOWN_USER)
    if not can_do(user, Perm.AUDIT):
        raise PermissionDeniedError("Người dùng không có quyền kiểm tra nhật ký.")
    return user


def parse_moment(text: str, *, end: bool = False) -> dt.datetime:
    """A local date (the whole day: ``end`` gives the next midnight) or an ISO date-time."""
    text = (text or "").strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            if end:
                day += dt.timedelta(days=1)
            return dt.datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise MetadataError(f"Ngày giờ không hợp lệ: «{text}» (YYYY-MM-DD)", field="from" if not end else "to") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def period(options) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = parse_moment(options["date_from"]) if options.get("date_from") else None
    end = parse_moment(options["date_to"], end=True) if options.get("date_to") else None
    if start and end and end <= start:
        raise MetadataError("Khoảng thời gian không hợp lệ (--to trước --from).", field="to")
    return start, end


def context(command: str) -> RequestContext:
    return RequestContext.for_cli(f"audit {command}")


def emit(out, data) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(out, error: RegistryError) -> int:
    out.write(json.dumps(error.as_dict(), ensure_ascii=False))
    return 2
