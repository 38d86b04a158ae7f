"""The stamp layout stored with a document's rendition: found once, when the rendition is built.

``ensure_stamp_layout`` runs after the transaction that built or changed a rendition commits (connected to
``document_changed`` in ``registry.apps``); ``layout_for`` hands the stored layout to ``stamp_pdf`` and, for a
rendition that has none yet (built before layouts existed), analyses it once and keeps the result. The layout
is a cache of the rendition's geometry, not a register fact: it is written without a log entry.
"""

import logging

from .layout import LAYOUT_VERSION, analyse_pdf

logger = logging.getLogger(__name__)


def _current(document) -> dict | None:
    layout = document.stamp_layout
    if layout and layout.get("v") == LAYOUT_VERSION and layout.get("rendition") == document.rendition.name:
        return layout
    return None


def _store(document, source: bytes) -> dict:
    from registry.models import Document

    from django.conf import settings

    from registry.intake.sandbox import run_limited

    # Rendering decodes every picture: in the intake sandbox (time and memory limits), so a hostile image
    # can fail this analysis (stamps then use their usual places) but not take the server or worker down.
    layout = run_limited(analyse_pdf, source, timeout=settings.REGISTRY_INTAKE_TIMEOUT_SECONDS,
                         memory=settings.REGISTRY_INTAKE_MEMORY_BYTES,
                         reuse=getattr(settings, "REGISTRY_INTAKE_WORKER_FILES", 1))
    layout["rendition"] = document.rendition.name
    Document.objects.filter(pk=document.pk, rendition=document.rendition.name).update(stamp_layout=layout)
    document.stamp_layout = layout
    return layout


def layout_for(document, source: bytes) -> dict | None:
    """The layout for stamping ``source`` (the document's rendition): stored, or found now and stored."""
    if not document.rendition:
        return None  # stamping the original itself: analysed on the fly by stamp_pdf
    current = _current(document)
    if current is not None:
        return current
    try:
        return _store(document, source)
    except Exception:  # an unrenderable page: stamp_pdf falls back to its own placement
        logger.exception("stamp layout: document %s could not be analysed", document.pk)
        return None


def ensure_stamp_layout(sender=None, document_id=None, **kwargs):
    """Receiver of ``document_changed``: analyse a new or rebuilt rendition once."""
    from registry.models import Document

    document = Document.objects.filter(pk=document_id).first() if document_id else None
    if document is None or not document.rendition or _current(document) is not None:
        return
    if document.content_status == "pending":
        return  # a new registration: its background task (intake.process_document) gets here once done
    try:
        with document.rendition.open("rb") as fh:
            source = fh.read()
        _store(document, source)
    except Exception:
        logger.exception("stamp layout: document %s could not be analysed; it will be on first copy", document_id)
