"""The all-objects scan: every object of a PDF file, reachable or not, for active content and XMP.

Two independent looks, so that a bug in one cannot hide a finding:
  * pikepdf: every indirect object (``pdf.objects``) and every direct object inside it — keys, the /S,
    /Type and /Subtype names, streams' dictionaries; XMP packets in any non-image stream's decoded data;
  * raw bytes: the file rewritten by qpdf with object streams expanded and streams decompressed, its
    dictionary text (stream data cut out) grepped for the same names.
"""

import io
import re

import pikepdf

ACTIVE = ("/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch", "/URI", "/SubmitForm", "/ImportData",
          "/RichMedia", "/EmbeddedFile", "/EmbeddedFiles", "/AF", "/XFA")
_ACTIVE_RE = re.compile(rb"/(JS|JavaScript|AA|OpenAction|Launch|URI|SubmitForm|ImportData|RichMedia|EmbeddedFiles?|AF|XFA)"
                        rb"(?![A-Za-z0-9#_.-])")
_STREAM_DATA = re.compile(rb"stream\r?\n.*?endstream", re.S)
_XMP = (b"<x:xmpmeta", b"<?xpacket", b"adobe:ns:meta")


def _name(value) -> str:
    try:
        return str(value) if isinstance(value, pikepdf.Name) else ""
    except UnicodeDecodeError:
        return ""


def _walk(obj, found, depth=0):
    if depth > 50:
        return
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        for key in obj.keys():
            if key in ACTIVE:
                found.add(key)
            value = obj.get(key)
            if key in ("/S", "/Type", "/Subtype") and _name(value) in ACTIVE:
                found.add(_name(value))
            if key == "/Type" and _name(value) == "/Metadata" or key == "/Subtype" and _name(value) == "/XML":
                found.add("XMP")
            if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect:
                _walk(value, found, depth + 1)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            if isinstance(item, (pikepdf.Dictionary, pikepdf.Array)) and not item.is_indirect:
                _walk(item, found, depth + 1)


def scan(data: bytes, *, docinfo_allowed: bool = False, xmp_allowed: bool = False) -> set[str]:
    """Everything active found in the PDF ``data``; empty when clean."""
    found: set[str] = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if "/Info" in pdf.trailer and not docinfo_allowed:
            found.add("DocInfo")
        for obj in pdf.objects:
            _walk(obj, found)
            if isinstance(obj, pikepdf.Stream) and _name(obj.get("/Subtype")) != "/Image":
                try:
                    decoded = obj.read_bytes()
                except Exception:
                    decoded = obj.read_raw_bytes()
                if any(marker in decoded for marker in _XMP):
                    found.add("XMP")
        expanded = io.BytesIO()
        pdf.save(expanded, qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
    dictionaries = _STREAM_DATA.sub(b"stream endstream", expanded.getvalue())
    found |= {"/" + m.group(1).decode() for m in _ACTIVE_RE.finditer(dictionaries)}
    if xmp_allowed:
        found.discard("XMP")
    return found
