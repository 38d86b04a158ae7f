"""Run the parsers in a child process with a memory cap and a wall-clock limit.

Hostile or broken files (decompression bombs, reference loops, parser crashes) must cost the registry at
most one child process: the parent never parses. Workers are forked from a multiprocessing *forkserver*
that has already imported and warmed the parsers, so a worker starts in a few milliseconds and is
single-threaded and Django-free whatever the parent is (a threaded web server, a test runner, the CLI).

Limits: ``RLIMIT_AS`` (address space, so ``malloc`` fails instead of the machine swapping), ``RLIMIT_CPU``
re-armed for each file as a backstop, and the parent's wall-clock deadline after which the worker is
killed. Any overrun or abnormal death is reported as ``ResourceLimitError``; typed refusals raised in
the worker cross the pipe as they are.

A worker parses up to ``reuse`` files (``REGISTRY_INTAKE_WORKER_FILES``; 1 = a fresh process per file)
and is retired at once after any overrun, crash or timeout. Reuse saves the start-up of a process per
file; it gives up nothing that matters here, since a worker runs as the same system user as the registry
(the sandbox bounds resources and contains crashes; it is not a privilege boundary). A file refused for
memory by a worker that had already parsed others is retried once in a fresh worker, so a previous file's
leftovers can never get a good file refused.
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
_idle_lock = threading.Lock()
_idle: list[_Worker] = []
_BARE_MAIN = types.ModuleType("__main__")  # no __file__, no __spec__: nothing for a child to re-run


def _get_context():
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            _context = ctx
        return _context


class _Worker:
    def __init__(self, memory: int):
        ctx = _get_context()
        self.memory = memory
        self.jobs = 0
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child_conn, memory), daemon=True)
        try:
            with _main_module_hidden():
                self.process.start()
        finally:
            child_conn.close()

    def call(self, function, args, timeout: float):
        """Send one job; return ("ok", result) or ("error", (code, message, details)); raise on overrun."""
        self.jobs += 1
        try:
            self.conn.send((function, args, timeout))
            if not self.conn.poll(timeout):
                raise ResourceLimitError(
                    f"Xử lý tệp quá thời gian cho phép ({timeout:g} giây).", limit="time", seconds=timeout
                )
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.process.join(1)
            raise ResourceLimitError(
                "Tiến trình xử lý tệp bị dừng bất thường (vượt giới hạn bộ nhớ hoặc tệp gây lỗi trình đọc).",
                limit="crash", exitcode=self.process.exitcode,
            ) from None

    def retire(self):
        try:
            if self.process.is_alive():
                try:
                    self.conn.send(None)
                except OSError:
                    pass
                self.process.join(0.5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        finally:
            self.conn.close()
            self.process.close()


def run_limited(function, *args, timeout: float, memory: int, reuse: int = 1):
    """Call ``function(*args)`` in a sandbox worker; return its result or raise the error it raised.

    ``function`` must be importable without Django (a module-level function of a Django-free module).
    ``reuse`` is how many calls one worker may serve before it is replaced (1: a fresh process each time).
    """
    for attempt in (1, 2):
        worker = _take_worker(memory) if reuse > 1 else None
        fresh = worker is None
        if worker is None:
            worker = _Worker(memory)
        healthy = False
        try:
            status, payload = worker.call(function, args, timeout)
            healthy = status == "ok" or payload[0] != str(ErrorCode.RESOURCE_LIMIT)
        except ResourceLimitError as exc:
            if fresh or attempt == 2 or exc.details.get("limit") == "time":
                raise
            continue  # a reused worker ran out: try once more in a fresh one
        finally:
            if healthy and worker.jobs < reuse:
                _give_back(worker)
            else:
                worker.retire()
        if status == "ok":
            return payload
        code, message, details = payload
        if code == str(ErrorCode.RESOURCE_LIMIT) and not fresh and attempt == 1:
            continue
        error = error_for_code(code, message)
        error.details.update(details)
        raise error
    raise AssertionError("unreachable")


def _take_worker(memory: int) -> _Worker | None:
    with _idle_lock:
        for index, worker in enumerate(_idle):
            if worker.memory == memory:
                del _idle[index]
                if worker.process.is_alive():
                    return worker
                worker.retire()
                return None
    return None


def _give_back(worker: _Worker) -> None:
    with _idle_lock:
        _idle.append(worker)


def shutdown() -> None:
    """Retire the idle workers (tests, or a process that is done with intake)."""
    with _idle_lock:
        workers, _idle[:] = list(_idle), []
    for worker in workers:
        worker.retire()


@contextlib.contextmanager
def _main_module_hidden():
    """multiprocessing makes each child re-run the parent's main script (as ``__mp_main__``). A worker here
    only needs ``registry.intake.parsers``; re-running, say, a script with no ``__main__`` guard would
    recurse, and re-running any script costs time. So the main module is hidden while a worker starts."""
    with _start_lock:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = _BARE_MAIN
        try:
            yield
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved


def _worker_main(conn, memory):
    # The worker inherits the forkserver's signal handlers; restore default SIGTERM/SIGINT behaviour.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        while True:
            job = conn.recv()
            if job is None:
                break
            function, args, timeout = job
            if timeout:
                used = resource.getrusage(resource.RUSAGE_SELF)
                cpu = int(used.ru_utime + used.ru_stime + timeout) + 2
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            conn.send(_run_one(function, args))
    except (EOFError, OSError):
        pass  # the parent went away
    finally:
        conn.close()
        # Skip interpreter teardown: nothing to flush, and a parser's broken state must not hang exit.
        os._exit(0)


def _run_one(function, args):
    try:
        return ("ok", function(*args))
    except IntakeError as exc:
        return ("error", (str(exc.code), exc.message, exc.details))
    except MemoryError:
        return ("error", (str(ErrorCode.RESOURCE_LIMIT),
                          "Tệp cần nhiều bộ nhớ hơn giới hạn cho phép để xử lý.", {"limit": "memory"}))
    except RecursionError:
        return ("error", (str(ErrorCode.RESOURCE_LIMIT),
                          "Cấu trúc tệp lồng nhau quá sâu để xử lý an toàn.", {"limit": "depth"}))
    except Exception as exc:  # a parser library failing in a way it does not document: the file's fault
        return ("error", (str(ErrorCode.DOCUMENT_DAMAGED),
                          f"Tệp bị hỏng, không đọc được ({type(exc).__name__}).", {}))
