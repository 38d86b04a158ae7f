"""Helpers of the audit tests: planting log entries at chosen times, reading CLI JSON."""

import contextlib
import datetime as dt
import io
import json
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.management import call_command

from registry.audit.context import RequestContext

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CTX = RequestContext(ip="10.0.0.7", user_agent="pytest")


def local(year, month, day, hour=0, minute=0, second=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=VN)


@contextlib.contextmanager
def frozen_log_time(moment: dt.datetime):
    """Entries written inside get ``at = moment`` (the log's clock is patched, nothing else)."""
    with mock.patch("registry.audit.log.timezone.now", return_value=moment):
        yield


def plant(action, moment, **kwargs):
    from registry.audit.log import record

    with frozen_log_time(moment):
        return record(action, ctx=CTX, **kwargs)


def run_audit(*args) -> tuple[int, dict | str]:
    """Run ``registry audit ...`` in-process; returns (exit code, parsed JSON or raw text)."""
    out = io.StringIO()
    code = 0
    try:
        call_command("audit", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    text = out.getvalue()
    try:
        return code, json.loads(text)
    except ValueError:
        return code, text
