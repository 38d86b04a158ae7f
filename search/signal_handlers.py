"""Keep the index following the database: index a document after the transaction that changed it commits."""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def index_on_change(sender, document_id=None, **kwargs):
    """Receiver of ``registry.signals.document_changed`` (sent from on_commit).

    A failure here must not break the request that already committed: it is logged, and
    ``registry search status`` / ``reconcile`` find and repair the drift.
    """
    if document_id is None or not settings.REGISTRY_SEARCH.get("AUTO_INDEX", True):
        return
    from registry.tasks import enqueue

    try:
        # A task (registry.tasks): inline after commit on one machine, a Celery worker in production; it is
        # retried with backoff, and a final failure shows in the admin's task list.
        enqueue("search.index_document", document_id=document_id)
    except Exception:
        logger.exception("search: indexing document %s failed; run `registry search reconcile`", document_id)
