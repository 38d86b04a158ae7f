"""Background work in tests.

A pytest-django test runs inside one transaction that never commits, so work queued "after commit" (the
task layer's ``inline-after-commit`` mode: text extraction, OCR, indexing, stamp layout) would never run.
``committed()`` runs it as a real commit would, on leaving the block; ``register_file_committed`` is
``registry.intake.register_file`` as a view or a command sees it: the intake task has run when it returns.
"""

from contextlib import contextmanager

from django.test import TestCase

from registry.intake import register_file


@contextmanager
def committed():
    """Run the on-commit work queued inside the block (and the work that work queues) when it ends."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


def register_file_committed(*args, **kwargs):
    with committed():
        document = register_file(*args, **kwargs)
    document.refresh_from_db()
    return document
