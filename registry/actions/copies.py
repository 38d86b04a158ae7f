"""Printing the lifecycle registers (copies, hand-overs, use of the archived copy): one BOOK_PRINT entry."""

from registry.audit.context import RequestContext
from registry.audit.log import record
from registry.constants import Action


def do_log_register_print(book: str, year: int, *, actor, rows: int, fmt: str, full_book: bool,
                          ctx: RequestContext | None = None):
    return record(Action.BOOK_PRINT, actor=actor, ctx=ctx, result_count=rows,
                  extra={"register": book, "year": year, "format": fmt, "full_book": full_book})


__all__ = ["do_log_register_print"]
