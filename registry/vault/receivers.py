"""Signal receivers of the vault (connected in RegistryConfig.ready)."""

import logging

from . import checks  # noqa: F401  (registers the deploy check; this module is loaded in ready())

logger = logging.getLogger(__name__)


def destroy_document_key(sender, document_id=None, **kwargs):
    """Receiver of ``document_destroyed``: delete the document's data key, so that its stored objects and
    sealed text can never be read again (even from a backup taken without the keys)."""
    from registry.models import Document

    from .core import destroy_data_key

    sha256 = Document.objects.filter(pk=document_id).values_list("sha256", flat=True).first()
    if sha256:
        destroy_data_key(sha256)
    logger.info("vault: data key of document %s destroyed", document_id)
