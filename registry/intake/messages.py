"""Plain Vietnamese for what intake reports: a clerk reads "ZIP" or "chương trình chạy được", never
``application/zip`` as the main text (the MIME type stays in the error's details for scripts)."""

# MIME type (as libmagic reports it) → what a clerk calls it.
TYPE_NAMES = {
    "application/zip": "tệp nén ZIP",
    "application/x-rar": "tệp nén RAR",
    "application/vnd.rar": "tệp nén RAR",
    "application/x-7z-compressed": "tệp nén 7z",
    "application/gzip": "tệp nén GZIP",
    "application/x-gzip": "tệp nén GZIP",
    "application/x-bzip2": "tệp nén BZIP2",
    "application/x-xz": "tệp nén XZ",
    "application/x-tar": "tệp lưu trữ TAR",
    "application/x-executable": "chương trình chạy được",
    "application/x-pie-executable": "chương trình chạy được",
    "application/x-sharedlib": "thư viện chương trình",
    "application/x-object": "mã máy",
    "application/x-dosexec": "chương trình Windows (EXE)",
    "application/x-msdownload": "chương trình Windows (EXE)",
    "application/x-mach-binary": "chương trình macOS",
    "application/x-shellscript": "tệp lệnh (script)",
    "text/x-shellscript": "tệp lệnh (script)",
    "text/x-script.python": "tệp lệnh Python",
    "text/html": "trang web HTML",
    "text/xml": "tệp XML",
    "application/xml": "tệp XML",
    "image/svg+xml": "ảnh SVG",
    "image/gif": "ảnh GIF",
    "image/bmp": "ảnh BMP",
    "image/x-ms-bmp": "ảnh BMP",
    "image/webp": "ảnh WEBP",
    "image/heic": "ảnh HEIC",
    "application/msword": "văn bản Word cũ (DOC)",
    "application/vnd.ms-excel": "bảng tính Excel cũ (XLS)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "bảng tính Excel (XLSX)",
    "application/vnd.ms-powerpoint": "trình chiếu PowerPoint cũ (PPT)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "trình chiếu PowerPoint (PPTX)",
    "application/vnd.oasis.opendocument.spreadsheet": "bảng tính ODS",
    "application/rtf": "văn bản RTF",
    "text/rtf": "văn bản RTF",
    "application/x-empty": "tệp rỗng",
    "inode/x-empty": "tệp rỗng",
    "application/octet-stream": "dữ liệu không rõ loại",
    "application/encrypted": "dữ liệu đã mã hóa",
    "application/pgp-encrypted": "dữ liệu đã mã hóa",
}
_FAMILIES = {"audio": "âm thanh", "video": "video", "font": "phông chữ", "model": "mô hình 3D"}

ACCEPTED_TYPES = "PDF, DOCX, ODT, văn bản thuần, ảnh PNG/JPEG/TIFF"


def type_name(mime: str) -> str:
    """What a clerk calls the content type ``mime`` ("tệp nén ZIP", "ảnh GIF", "dữ liệu không rõ loại")."""
    mime = (mime or "").split(";", 1)[0].strip().lower()
    if mime in TYPE_NAMES:
        return TYPE_NAMES[mime]
    family, _slash, sub = mime.partition("/")
    sub = sub.removeprefix("x-").removeprefix("vnd.").upper()
    if family in _FAMILIES:
        return f"{_FAMILIES[family]} {sub}".strip()
    if family == "image":
        return f"ảnh {sub}".strip()
    if family == "text":
        return f"văn bản dạng {sub}".strip()
    return "loại tệp không rõ"


def unsupported_type_message(mime: str) -> str:
    return f"Tệp không phải loại được nhận ({type_name(mime)}): chỉ nhận {ACCEPTED_TYPES}."
