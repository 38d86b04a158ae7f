"""Files kept for a corrected resubmission of the register form, so the clerk need not choose them again.

A refused registration whose file was fine (a missing field, a number to confirm, a PDF password to give)
keeps the uploaded bytes under ``REGISTRY_HOME/held/<token>.bin`` (folder 0700, file 0600) for
``HELD_TTL_SECONDS``. The token is only good in the session that uploaded the file; it is deleted once
used by a successful registration, when replaced, or when it expires (swept at every new hold).
Nothing of it reaches the register or the log: the file is registered through intake as any upload.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from registry.intake.filenames import clean_filename

SESSION_KEY = "registry_held_files"
HELD_TTL_SECONDS = 30 * 60
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class HeldFile:
    token: str
    path: Path
    name: str


def _folder() -> Path:
    path = Path(settings.REGISTRY_HOME) / "held"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _valid_token(token: str) -> bool:
    return bool(token) and len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()


def sweep(now: float | None = None) -> None:
    """Delete held files older than the time limit, whoever held them."""
    limit = (now or time.time()) - HELD_TTL_SECONDS
    for item in _folder().glob("*.bin"):
        try:
            if item.stat().st_mtime < limit:
                item.unlink()
        except FileNotFoundError:
            pass


def hold(request, upload) -> HeldFile:
    """Keep an uploaded file (a Django ``UploadedFile``) for this session; returns its token and name."""
    sweep()
    token = secrets.token_urlsafe(24)
    path = _folder() / f"{token}.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            if hasattr(upload, "seek"):
                upload.seek(0)
            for chunk in upload.chunks(CHUNK):
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    try:
        name = clean_filename(upload.name or "")
    except Exception:  # a name intake will refuse anyway: keep something to show, intake decides
        name = os.path.basename(str(upload.name or "")) or "tep"
    held = dict(request.session.get(SESSION_KEY, {}))
    held[token] = {"name": upload.name or name, "shown": name, "expires": time.time() + HELD_TTL_SECONDS}
    request.session[SESSION_KEY] = held
    return HeldFile(token, path, name)


def take(request, token: str) -> HeldFile | None:
    """The file this session holds under ``token``, if it is still there and in time; else None."""
    if not _valid_token(token):
        return None
    sweep()
    item = request.session.get(SESSION_KEY, {}).get(token)
    path = _folder() / f"{token}.bin"
    if item is None:
        return None
    if item["expires"] < time.time() or not path.is_file():
        release(request, token)
        return None
    return HeldFile(token, path, item["name"])


def shown_name(request, token: str) -> str:
    item = request.session.get(SESSION_KEY, {}).get(token) if _valid_token(token) else None
    return item["shown"] if item else ""


def release(request, token: str) -> None:
    """Forget a held file (after its registration, or when a new file replaces it)."""
    if not _valid_token(token):
        return
    held = dict(request.session.get(SESSION_KEY, {}))
    if held.pop(token, None) is not None:
        request.session[SESSION_KEY] = held
        (_folder() / f"{token}.bin").unlink(missing_ok=True)


# --- The register form's use of it ------------------------------------------------------------------------


def held_for(request, form) -> HeldFile | None:
    """The file this submission relies on from an earlier one, if the clerk chose no new file.

    A newly chosen file replaces the held one. A token that expired (or belongs to another session) is an
    error on the file field, never a silent paper-only registration.
    """
    from django.utils.translation import gettext as _

    token = form.data.get("held_file", "") if form.is_bound else ""
    if not token:
        return None
    if form.files.get(form.add_prefix("file")):
        release(request, token)
        form.drop_held_file()
        return None
    held = take(request, token)
    if held is None:
        form.drop_held_file()
        form.full_clean()  # an error added before cleaning would be dropped by it
        form.add_error("file", _("Tệp đã giữ từ lần gửi trước không còn (quá 30 phút hoặc đã đăng nhập lại): "
                                 "hãy chọn lại tệp."))
        return None
    form.hold_file(held.token, shown_name(request, held.token))
    return held


def keeps_file(error) -> bool:
    """Whether a refused registration's file is worth keeping: yes when the fault is in what was typed (or a
    PDF password is missing), no when the file itself was refused or is already registered."""
    from registry.errors import DuplicateError, ErrorCode
    from registry.intake.errors import IntakeError

    if error is None:
        return True
    if isinstance(error, DuplicateError):
        return False
    return not isinstance(error, IntakeError) or error.code == ErrorCode.PDF_ENCRYPTED


def keep_for_resubmission(request, form, held: HeldFile | None, error=None) -> None:
    """After a refusal: hold the file just uploaded (or keep the one held), or let it go."""
    upload = form.files.get(form.add_prefix("file")) if form.is_bound else None
    if not keeps_file(error):
        if held is not None:
            release(request, held.token)
        form.drop_held_file()
        return
    if upload and "file" not in form.errors:  # a file refused by the form itself (too large) is not kept
        new = hold(request, upload)
        form.hold_file(new.token, new.name)
    elif held is not None:
        form.hold_file(held.token, shown_name(request, held.token))
