"""Typed intake failures. Each carries a stable ``ErrorCode`` (public interface: CLI JSON, API, scripts).

This module is free of Django so that the sandboxed parser process can raise the same exceptions.
"""

from registry.errors import DuplicateError, ErrorCode, RegistryError

__all__ = [
    "BadFilenameError",
    "DocumentDamagedError",
    "DuplicateError",
    "EmptyFileError",
    "ExtractionFailedError",
    "FileTooLargeError",
    "IntakeError",
    "IntakeFileNotFoundError",
    "PdfDamagedError",
    "PdfEncryptedError",
    "PdfTruncatedError",
    "ResourceLimitError",
    "StorageFailedError",
    "UnsupportedTypeError",
    "error_for_code",
]


class IntakeError(RegistryError):
    """A file refused by the intake pipeline. Subclasses fix the code; ``message`` is for the clerk."""

    code = ErrorCode.DOCUMENT_DAMAGED

    def __init__(self, message: str, **details):
        super().__init__(message, **details)

    def __reduce__(self):
        # Picklable across the sandbox pipe with its class, message and details.
        return (_rebuild, (type(self), self.message, self.details))


def _rebuild(cls, message, details):
    return cls(message, **details)


class IntakeFileNotFoundError(IntakeError):
    code = ErrorCode.FILE_NOT_FOUND


class EmptyFileError(IntakeError):
    code = ErrorCode.EMPTY_FILE


class FileTooLargeError(IntakeError):
    code = ErrorCode.FILE_TOO_LARGE


class BadFilenameError(IntakeError):
    code = ErrorCode.BAD_FILENAME


class UnsupportedTypeError(IntakeError):
    code = ErrorCode.UNSUPPORTED_TYPE


class PdfDamagedError(IntakeError):
    code = ErrorCode.PDF_DAMAGED


class PdfTruncatedError(IntakeError):
    code = ErrorCode.PDF_TRUNCATED


class PdfEncryptedError(IntakeError):
    code = ErrorCode.PDF_ENCRYPTED


class DocumentDamagedError(IntakeError):
    code = ErrorCode.DOCUMENT_DAMAGED


class ExtractionFailedError(IntakeError):
    code = ErrorCode.EXTRACTION_FAILED


class ResourceLimitError(IntakeError):
    code = ErrorCode.RESOURCE_LIMIT


class StorageFailedError(IntakeError):
    code = ErrorCode.STORAGE_FAILED


_BY_CODE = {cls.code: cls for cls in IntakeError.__subclasses__()}


def error_for_code(code: str, message: str) -> IntakeError:
    """Rebuild a typed error from its code (e.g. when a child process reports one as plain data)."""
    return _BY_CODE.get(ErrorCode(code), IntakeError)(message)
