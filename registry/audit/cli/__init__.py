"""Subcommands of ``registry audit``. Each module here defines:

    HELP = "one line"
    def add_arguments(parser): ...        # argparse sub-parser of this subcommand
    def run(options, *, out) -> int: ...  # does the work through registry.audit / actions; returns exit code

The management command (registry/management/commands/audit.py) discovers them, so each area owns its
own module (verify.py, checkpoint.py, report.py, anomalies.py, yearly.py, export.py).
"""

import importlib
import pkgutil


def subcommands() -> dict:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[info.name] = module
    return found
