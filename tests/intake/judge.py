"""The false-refusal judge: can a bare reader use this file? Django-free (runs in the sandbox child).

A file is usable when pikepdf (with qpdf's recovery) opens it and reaches page 1, or when pypdfium2 opens
it and renders page 1: the issue's yardstick for "a reader can use it"."""


def usable(path: str) -> dict:
    import pikepdf
    import pypdfium2 as pdfium

    verdict = {"pikepdf": False, "pdfium": False, "encrypted": False}
    try:
        with pikepdf.open(path, attempt_recovery=True) as pdf:
            if len(pdf.pages):
                pdf.pages[0].obj.get("/Contents")
                verdict["pikepdf"] = True
    except pikepdf.PasswordError:
        verdict["encrypted"] = True
    except Exception:
        pass
    try:
        document = pdfium.PdfDocument(path)
        try:
            if len(document):
                page = document[0]
                page.render(scale=0.2).close()
                page.close()
                verdict["pdfium"] = True
        finally:
            document.close()
    except Exception as exc:
        if getattr(exc, "err_code", None) == 4:
            verdict["encrypted"] = True
    return verdict
