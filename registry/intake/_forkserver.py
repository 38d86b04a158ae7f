"""Imported once by the sandbox's forkserver (see ``sandbox.PRELOAD``): load and warm the parsers there,
so that every child forked from it starts with libraries initialised (font tables, allocator arenas)
instead of paying for that on each file."""

import gc
import sys

from . import parsers

try:
    parsers.warm_up()
except Exception as exc:  # a cold start is slower, not wrong: never let warming up break intake
    print(f"registry intake: parser warm-up failed ({exc!r}); continuing cold", file=sys.stderr)
try:  # the stamp-layout analysis runs in this sandbox too (registry.marking.stored_layout)
    from registry.marking import layout  # noqa: F401
except Exception as exc:
    print(f"registry intake: stamp layout preload failed ({exc!r}); loaded on first use", file=sys.stderr)
gc.collect()
gc.freeze()  # keep the collector from touching (and so copying) the inherited objects in every child
