"""Run the parsers in a child process with a memory cap and a wall-clock limit.

Hostile or broken files (decompression bombs, reference loops, parser crashes) must cost the registry at
most one child process: the parent never parses. Children are forked from a multiprocessing *forkserver*
that has already imported the parsers, so a child starts in a few milliseconds and is single-threaded
and Django-free whatever the parent is (a threaded web server, a test runner, the CLI).

Limits: ``RLIMIT_AS`` (address space, so ``malloc`` fails instead of the machine swapping), ``RLIMIT_CPU``
as a backstop, and the parent's wall-clock deadline after which the child is killed. Any overrun or
abnormal death is reported as ``ResourceLimitError``; typed refusals raised in the child cross the pipe
as they are.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import sys
import threading
import types

from registry.errors import ErrorCode

from .errors import IntakeError, ResourceLimitError, error_for_code

PRELOAD = ["registry.intake._forkserver"]

_context = None
_context_lock = threading.Lock()
_start_lock = threading.Lock()
_BARE_MAIN = types.ModuleType("__main__")  # no __file__, no __spec__: nothing for a child to re-run


def _get_context():
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


def run_limited(function, *args, timeout: float, memory: int):
    """Call ``function(*args)`` in a fresh child; return its result or raise the error it raised.

    ``function`` must be importable without Django (a module-level function of a Django-free module).
    """
    ctx = _get_context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_main, args=(sender, function, args, timeout, memory), daemon=True)
    try:
        with _main_module_hidden():
            child.start()
    finally:
        sender.close()
    try:
        if not receiver.poll(timeout):
            raise ResourceLimitError(
                f"Xử lý tệp quá thời gian cho phép ({timeout:g} giây).", limit="time", seconds=timeout
            )
        try:
            status, payload = receiver.recv()
        except (EOFError, OSError):
            child.join(1)
            raise ResourceLimitError(
                "Tiến trình xử lý tệp bị dừng bất thường (vượt giới hạn bộ nhớ hoặc tệp gây lỗi trình đọc).",
                limit="crash", exitcode=child.exitcode,
            ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.join(0.5)
        if child.is_alive():
            child.kill()
            child.join()
        child.close()
    if status == "ok":
        return payload
    code, message, details = payload
    error = error_for_code(code, message)
    error.details.update(details)
    raise error


@contextlib.contextmanager
def _main_module_hidden():
    """multiprocessing makes each child re-run the parent's main script (as ``__mp_main__``). A child here
    only needs ``registry.intake.parsers``; re-running, say, a script with no ``__main__`` guard would
    recurse, and re-running any script costs time. So the main module is hidden while a child starts."""
    with _start_lock:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = _BARE_MAIN
        try:
            yield
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved


def _child_main(conn, function, args, timeout, memory):
    # The child inherits the forkserver's signal handlers; restore default SIGTERM/SIGINT behaviour.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if timeout:
            cpu = int(timeout) + 2
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            result = ("ok", function(*args))
        except IntakeError as exc:
            result = ("error", (str(exc.code), exc.message, exc.details))
        except MemoryError:
            result = ("error", (str(ErrorCode.RESOURCE_LIMIT),
                                "Tệp cần nhiều bộ nhớ hơn giới hạn cho phép để xử lý.", {"limit": "memory"}))
        except RecursionError:
            result = ("error", (str(ErrorCode.RESOURCE_LIMIT),
                                "Cấu trúc tệp lồng nhau quá sâu để xử lý an toàn.", {"limit": "depth"}))
        except Exception as exc:  # a parser library failing in a way it does not document: the file's fault
            result = ("error", (str(ErrorCode.DOCUMENT_DAMAGED),
                                f"Tệp bị hỏng, không đọc được ({type(exc).__name__}).", {}))
        conn.send(result)
    finally:
        conn.close()
        # Skip interpreter teardown: nothing to flush, and a parser's broken state must not hang exit.
        os._exit(0)
