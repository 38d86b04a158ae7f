"""Misbehaving "parsers" for the sandbox tests. Django-free: they run inside the sandbox child."""

import os
import time

from registry.intake.errors import PdfDamagedError


def spin(seconds):
    time.sleep(seconds)
    return "woke up"


def hog_memory(megabytes):
    blocks = [bytearray(1024 * 1024) for _ in range(megabytes)]
    return len(blocks)


def crash():
    os.abort()


def refuse():
    raise PdfDamagedError("xref hỏng", problems=3)


def echo(value):
    return value


def pid():
    return os.getpid()


_hoard = []


def hoard(megabytes):
    """Keep ``megabytes`` alive in the worker after returning (leftovers of a previous file)."""
    _hoard.append(bytearray(megabytes * 1024 * 1024))
    return os.getpid()
