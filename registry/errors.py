"""Typed errors with stable codes. The codes are a public interface (CLI JSON, API, operators' scripts)."""

from enum import StrEnum


class ErrorCode(StrEnum):
    # Intake: the file itself
    FILE_NOT_FOUND = "file_not_found"
    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"
    BAD_FILENAME = "bad_filename"
    UNSUPPORTED_TYPE = "unsupported_type"
    PDF_DAMAGED = "pdf_damaged"
    PDF_TRUNCATED = "pdf_truncated"
    PDF_ENCRYPTED = "pdf_encrypted"
    DOCUMENT_DAMAGED = "document_damaged"
    EXTRACTION_FAILED = "extraction_failed"
    RESOURCE_LIMIT = "resource_limit"
    DUPLICATE = "duplicate"
    STORAGE_FAILED = "storage_failed"
    # Metadata
    INVALID_METADATA = "invalid_metadata"
    UNKNOWN_LOCATION = "unknown_location"
    UNKNOWN_DOSSIER = "unknown_dossier"
    UNKNOWN_UNIT = "unknown_unit"
    SUMMARY_NOT_ALLOWED = "summary_not_allowed"
    NUMBER_IN_USE = "number_in_use"
    SAME_NUMBER = "same_number"  # the issuer already has this number in a visible register: confirm to go on
    # People and access
    UNKNOWN_USER = "unknown_user"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    PURPOSE_REQUIRED = "purpose_required"
    INVALID_STATE = "invalid_state"
    NOT_DELETABLE = "not_deletable"  # register entries and people are never deleted (void/destroy, deactivate)
    # Accounts: login, second factor, API tokens (registry/actions/accounts.py)
    BAD_PASSWORD = "bad_password"
    INACTIVE_USER = "inactive_user"
    ACCOUNT_LOCKED = "locked"  # refused while locked out
    ACCOUNT_LOCKED_NOW = "locked_now"  # the failure that locked it
    OTP_INVALID = "otp_invalid"
    OTP_REPLAYED = "otp_replayed"
    OTP_THROTTLED = "otp_throttled"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    # Approvals of lifecycle acts (domain.md §5)
    APPROVAL_MISSING = "approval_missing"
    APPROVER_NOT_AUTHORISED = "approver_not_authorised"
    DELEGATION_EXPIRED = "delegation_expired"
    SELF_APPROVAL = "self_approval"
    TERM_NOT_ALLOWED = "term_not_allowed"
    # A failure that is no fault of the input (a bug, a database outage): reported per row in bulk intake
    INTERNAL_ERROR = "internal_error"
    # Encryption at rest: a stored object or text that fails authentication, or whose data key is gone
    INTEGRITY_FAILED = "integrity_failed"
    KEY_UNAVAILABLE = "key_unavailable"


class RegistryError(Exception):
    """An error with a stable code and a message a person can act on."""

    code: ErrorCode = ErrorCode.INVALID_METADATA

    def __init__(self, message: str, *, code: ErrorCode | None = None, **details):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def as_dict(self) -> dict:
        body = {"code": str(self.code), "message": self.message}
        body.update({k: v for k, v in self.details.items() if v is not None})
        return {"error": body}


class MetadataError(RegistryError):
    code = ErrorCode.INVALID_METADATA

    def __init__(self, message: str, *, field: str | None = None, code: ErrorCode | None = None):
        super().__init__(message, code=code, field=field)
        self.field = field


class DuplicateError(RegistryError):
    """The same bytes are registered already. The existing record's id travels internally (``related_id``,
    for the refusal's log entry); the message, ``existing_id`` and ``as_dict`` name it only after the guard
    found that the actor may see that record (``reveal()``), so a hidden document is never confirmed."""

    code = ErrorCode.DUPLICATE

    def __init__(self, existing_id: int, sha256: str, *, disclose: bool = False):
        message = (f"Tệp này đã được đăng ký (tài liệu #{existing_id})." if disclose
                   else "Tệp này đã được đăng ký trước đó.")
        super().__init__(message, existing_id=existing_id if disclose else None, sha256=sha256)
        self.related_id = existing_id
        self.existing_id = existing_id if disclose else None
        self.sha256 = sha256

    def reveal(self) -> "DuplicateError":
        return DuplicateError(self.related_id, self.sha256, disclose=True)


class NotFoundError(RegistryError):
    """Raised for documents that do not exist for the asking user: the message is the same either way."""

    code = ErrorCode.NOT_FOUND

    def __init__(self, what: str = "document"):
        super().__init__(f"Không tìm thấy ({what}).")


class PermissionDeniedError(RegistryError):
    code = ErrorCode.PERMISSION_DENIED
