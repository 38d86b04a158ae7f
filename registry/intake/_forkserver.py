"""Imported once by the sandbox's forkserver (see ``sandbox.PRELOAD``): load and warm the parsers there,
so that every child forked from it starts with libraries initialised (font tables, allocator arenas)
instead of paying for that on each file."""

import gc

from . import parsers

parsers.warm_up()
gc.collect()
gc.freeze()  # keep the collector from touching (and so copying) the inherited objects in every child
