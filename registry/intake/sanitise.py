"""Sanitised renditions by allow-list: a NEW PDF holding only what a page needs to be seen.

The old scrubber deleted known keys from known places and then saved the source document, which wrote
everything still reachable (a widget's ``/Parent`` with ``/AA``, ``/P`` → ``/AF`` from structure elements…).
Here nothing of the source is saved. A fresh document is built and only these are copied into it:

* the page tree (one flat level, built here) with each page's boxes, rotation, user unit and group;
* each page's content streams (raw bytes, their filters kept as they are: nothing is decoded, so the
  outcome never depends on which optional decoders the machine has);
* the page's resources of the kinds a content stream can name (fonts, images and form XObjects,
  graphics states, colour spaces, patterns, shadings, marked-content properties).

Annotations are first flattened into the page content by qpdf where they carry an appearance stream
(what the reader would see on screen); no annotation itself is copied, so the rest are dropped.

Inside copied resources, keys that lead somewhere a page does not need to be drawn (actions, parents,
structure, files, metadata) are never followed, and a dictionary that is an action, a file specification,
an annotation, a page node or a structure element is never copied. ``verify`` then checks every object
of the written file and refuses to hand over a rendition that still names active content.

Django-free: runs inside the sandbox child.
"""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

# What a page keeps besides /Contents and /Resources.
PAGE_KEYS = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Rotate", "/UserUnit", "/Group")
INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
RESOURCE_KINDS = ("/Font", "/XObject", "/ExtGState", "/ColorSpace", "/Pattern", "/Shading", "/Properties",
                  "/ProcSet")

# Names a rendition may never contain (as a key, or as the /S or /Type of a dictionary).
ACTIVE_NAMES = frozenset({
    "/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/RichMedia",
    "/EmbeddedFile", "/EmbeddedFiles", "/AF", "/XFA", "/Metadata", "/AcroForm",
})

# Keys never followed inside a copied object: back-references, actions, structure, files, metadata.
_NEVER_FOLLOW = ACTIVE_NAMES | {
    "/A", "/Parent", "/P", "/Popup", "/PA", "/Next", "/Names", "/Dests", "/Outlines", "/Threads", "/B",
    "/Annots", "/Kids", "/StructParent", "/StructParents", "/StructTreeRoot", "/PieceInfo", "/Ref", "/OPI",
    "/Alternates", "/Thumb", "/EF", "/FS", "/RF", "/Collection", "/Perms", "/Sig", "/Lock", "/SV", "/V",
    "/RichMediaContent", "/RichMediaSettings", "/Dest", "/SE", "/Info", "/Encrypt", "/Marked", "/URL",
    "/Movie", "/Sound", "/Rendition", "/Media", "/Fields", "/DR",
}
# On a stream, /F /FFilter /FDecodeParms point at data in an external file.
_STREAM_NEVER = frozenset({"/F", "/FFilter", "/FDecodeParms", "/Length", "/DL", "/Filter", "/DecodeParms"})
_BANNED_TYPES = frozenset({
    "/Action", "/Annot", "/Catalog", "/Pages", "/Page", "/Filespec", "/EmbeddedFile", "/Metadata",
    "/StructTreeRoot", "/StructElem", "/MCR", "/OBJR", "/Sig", "/SigRef", "/Collection", "/Outlines",
    "/Thread", "/Bead",
})
_ACTION_TYPES = frozenset({
    "/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/RichMediaExecute", "/GoTo", "/GoToR",
    "/GoToE", "/GoTo3DView", "/Named", "/ResetForm", "/Hide", "/Sound", "/Movie", "/Rendition", "/Trans",
    "/SetOCGState", "/Thread", "/ECMAScript",
})
MAX_DEPTH = 64


@dataclass(frozen=True)
class Built:
    warnings: list[str]  # what qpdf repaired while reading the pages
    image_pixels: int  # the largest image copied (width × height), to tell scans from text pages


class SanitiseError(Exception):
    """The rendition could not be built (the caller decides what that means for the file)."""


def build(source: pikepdf.Pdf, target: str, *, flatten: bool = True) -> Built:
    """Write the sanitised rendition of ``source`` to ``target``; report what qpdf repaired meanwhile.

    ``source`` is modified in memory (annotations flattened) but never saved.
    """
    if flatten:
        try:
            source.flatten_annotations("screen")
        except Exception:  # a broken annotation tree: the annotations are dropped instead
            pass
    clean = pikepdf.Pdf.new()
    copier = _Copier(clean)
    for page in source.pages:
        clean.pages.append(pikepdf.Page(copier.page(page.obj)))
    if not len(clean.pages):
        raise SanitiseError("no pages")
    if "/Info" in clean.trailer:
        del clean.trailer["/Info"]
    # Streams keep their filters as they came (nothing is decoded here); unfiltered ones get compressed.
    clean.save(target, fix_metadata_version=False, compress_streams=True, deterministic_id=True,
               stream_decode_level=pikepdf.StreamDecodeLevel.none,
               object_stream_mode=pikepdf.ObjectStreamMode.disable)
    found = verify(target)
    if found:
        raise SanitiseError(f"active content left in the rendition: {sorted(found)[:5]}")
    return Built(warnings=[str(w) for w in source.get_warnings()], image_pixels=copier.image_pixels)


def _inherited(page: pikepdf.Dictionary, key: str):
    node, depth = page, 0
    while isinstance(node, pikepdf.Dictionary) and depth < MAX_DEPTH:
        if key in node:
            return node.get(key)
        node, depth = node.get("/Parent"), depth + 1
    return None


class _Copier:
    """Copy objects from a source document into ``target``, following only allowed keys; one copy per
    source object (so shared fonts stay shared and reference loops terminate)."""

    def __init__(self, target: pikepdf.Pdf):
        self.target = target
        self.memo: dict[tuple[int, int], object] = {}
        self.image_pixels = 0

    def page(self, page: pikepdf.Dictionary) -> pikepdf.Dictionary:
        new = pikepdf.Dictionary(Type=pikepdf.Name.Page)
        for key in PAGE_KEYS:
            value = _inherited(page, key) if key in INHERITABLE else page.get(key)
            if value is not None:
                copied = self.copy(value)
                if copied is not None:
                    new[key] = copied
        if "/MediaBox" not in new:
            new.MediaBox = pikepdf.Array([0, 0, 612, 792])
        resources = _inherited(page, "/Resources")
        new.Resources = self.resources(resources)
        contents = page.get("/Contents")
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        kept = [self.copy(s) for s in streams if isinstance(s, pikepdf.Stream)]
        kept = [s for s in kept if isinstance(s, pikepdf.Stream)]
        if kept:
            new.Contents = kept[0] if len(kept) == 1 else pikepdf.Array(kept)
        return new

    def resources(self, resources, depth: int = 0) -> pikepdf.Dictionary:
        new = pikepdf.Dictionary()
        if not isinstance(resources, pikepdf.Dictionary):
            return new
        for key in RESOURCE_KINDS:
            value = resources.get(key)
            if value is None:
                continue
            copied = self.copy(value, depth + 1)
            if copied is not None:
                new[key] = copied
        return new

    def copy(self, obj, depth: int = 0):
        """The allowed copy of ``obj`` in the target, or None when it may not be copied."""
        if depth > MAX_DEPTH:
            return None
        if obj is None:
            return None
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)):
            key = obj.objgen if obj.is_indirect else None
            if key is not None and key != (0, 0):
                if key in self.memo:
                    return self.memo[key]
            if isinstance(obj, pikepdf.Stream):
                return self._stream(obj, key, depth)
            if isinstance(obj, pikepdf.Dictionary):
                if not _allowed(obj):
                    return None
                new = pikepdf.Dictionary()
                if key is not None and key != (0, 0):
                    new = self.target.make_indirect(new)
                    self.memo[key] = new
                self._fill(new, obj, depth, skip=())
                return new
            new = pikepdf.Array()
            if key is not None and key != (0, 0):
                new = self.target.make_indirect(new)
                self.memo[key] = new
            for item in obj:
                copied = self.copy(item, depth + 1)
                new.append(copied)  # None is written as null: positions in an array matter
            return new
        if isinstance(obj, pikepdf.Name):
            try:
                text = str(obj)
            except UnicodeDecodeError:  # a name that is not UTF-8: rebuilt from its PDF syntax
                return pikepdf.Object.parse(obj.unparse())
            return None if text in ACTIVE_NAMES else pikepdf.Name(text)
        if isinstance(obj, pikepdf.String):
            return pikepdf.String(bytes(obj))
        if isinstance(obj, pikepdf.Object):
            # another scalar (or an indirect one): rebuilt from its value, never shared with the source
            try:
                value = obj.unparse()
                return None if value == b"null" else pikepdf.Object.parse(value)
            except Exception:
                return None
        return obj

    def _stream(self, obj: pikepdf.Stream, key, depth: int):
        if not _allowed(obj.stream_dict):
            return None
        try:
            raw = obj.read_raw_bytes()
        except Exception:
            return None
        new = self.target.make_stream(b"")
        if key is not None and key != (0, 0):
            self.memo[key] = new
        filters = self.copy(obj.get("/Filter"), depth + 1)
        parms = self.copy(obj.get("/DecodeParms"), depth + 1)
        new.write(raw, filter=filters if filters is not None else None,
                  decode_parms=parms if parms is not None else None, type_check=False)
        self._fill(new, obj, depth, skip=_STREAM_NEVER)
        if new.get("/Subtype") == "/Image":
            try:
                self.image_pixels = max(self.image_pixels, int(new.get("/Width", 0)) * int(new.get("/Height", 0)))
            except (TypeError, ValueError):
                pass
        return new

    def _fill(self, new, obj, depth: int, *, skip) -> None:
        try:
            names = list(obj.keys())
        except UnicodeDecodeError:  # keys that are not UTF-8 are no key a page needs
            names = []
        for name in names:
            if name in _NEVER_FOLLOW or name in skip:
                continue
            try:
                if name == "/Resources":
                    value = self.resources(obj.get(name), depth + 1)
                else:
                    value = self.copy(obj.get(name), depth + 1)
                if value is not None:
                    new[name] = value
            except (MemoryError, RecursionError):
                raise
            except Exception:  # one unreadable value: the page is drawn without it
                continue


def _name(value) -> str:
    if not isinstance(value, pikepdf.Name):
        return ""
    try:
        return str(value)
    except UnicodeDecodeError:
        return ""


def _allowed(obj: pikepdf.Dictionary) -> bool:
    if _name(obj.get("/Type")) in _BANNED_TYPES:
        return False
    if _name(obj.get("/S")) in _ACTION_TYPES:
        return False
    return not any(name in obj for name in ("/JS", "/JavaScript", "/EF", "/FS", "/URI"))


def verify(path) -> set[str]:
    """Every active name found in any object of the file at ``path`` (reachable or not); empty when clean."""
    found: set[str] = set()
    with pikepdf.open(path) as pdf:
        if "/Info" in pdf.trailer:
            found.add("/Info")
        for obj in pdf.objects:
            found |= active_names(obj)
    return found


def active_names(obj) -> set[str]:
    """The active names one object (a dictionary or a stream's dictionary) carries as keys or values."""
    found: set[str] = set()
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if not isinstance(obj, pikepdf.Dictionary):
        return found
    try:
        names = list(obj.keys())
    except UnicodeDecodeError:
        names = [key for key in ACTIVE_NAMES if key in obj]
    for name in names:
        if name in ACTIVE_NAMES:
            found.add(name)
        if name in ("/S", "/Type", "/Subtype"):
            value = _name(obj.get(name))
            if value in ACTIVE_NAMES or (value in _ACTION_TYPES and value != "/GoTo"):
                found.add(value)
    kind = _name(obj.get("/Type"))
    if kind in ("/Annot", "/Filespec", "/Action", "/StructTreeRoot", "/StructElem"):
        found.add(kind)
    return found
