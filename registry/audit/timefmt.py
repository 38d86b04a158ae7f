"""The one time convention of the audit workspace: screen, CSV and PDF alike.

Shown to people: ``dd/mm/yyyy HH:MM`` in the office's zone (Asia/Ho_Chi_Minh), the zone stated once per page
or report (``ZONE_NOTE``). Machine columns: ISO 8601 with the offset (``+07:00``) and microseconds, which
converts back to the exact instant that the hash chain covers.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ZONE_NOTE = _("Thời gian theo giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+07:00).")
DISPLAY_FORMAT = "%d/%m/%Y %H:%M"


def local(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment)


def display(moment: dt.datetime | None) -> str:
    """dd/mm/yyyy HH:MM, local time (empty for None)."""
    moment = local(moment)
    return moment.strftime(DISPLAY_FORMAT) if moment is not None else ""


def display_date(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def iso(moment: dt.datetime | None) -> str:
    """ISO 8601 with the local offset and microseconds, e.g. 2026-03-10T09:00:00.000000+07:00."""
    moment = local(moment)
    return moment.isoformat(timespec="microseconds") if moment is not None else ""


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
