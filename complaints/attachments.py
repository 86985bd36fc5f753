"""Evidence uploads (stored by complaints.services.evidence): size limit and type checked by content, not by name; the
file is stored and served under a name that ends in the extension of the type
its bytes are (``invoice.hta`` made of GIF bytes is ``invoice.gif``), and
downloaded as an attachment, never shown in the browser."""

from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from complaints.models import Attachment

# (magic bytes at offset, offset, content type)
_SIGNATURES = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),
    (b"#!AMR", 0, "audio/amr"),
    (b"ftyp", 4, "audio/mp4"),
    (b"PK\x03\x04", 0, "application/zip"),
]


# The extension of each accepted type; Office documents are zip containers and
# keep their own extension and type.
EXTENSIONS = {
    "application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
    "image/webp": ".webp", "audio/mpeg": ".mp3", "audio/amr": ".amr", "audio/mp4": ".m4a",
    "audio/wav": ".wav", "application/zip": ".zip",
}
OFFICE = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def stored_type(content_type: str, name: str) -> tuple[str, str]:
    """(content type, extension) a file is kept and served as: the one its bytes
    say, whatever its name claims (an Office name on a zip container excepted)."""
    suffix = PurePosixPath(name).suffix.lower()
    if content_type == "application/zip" and suffix in OFFICE:
        return OFFICE[suffix], suffix
    office = {kind: ext for ext, kind in OFFICE.items()}
    return content_type, office.get(content_type) or EXTENSIONS.get(content_type, ".bin")


def safe_name(name: str, content_type: str) -> str:
    """The name a file is shown and downloaded under: the uploader's name
    without any folder, its extension replaced by the one of its type."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name  # no folder, by either separator
    stem = PurePosixPath(base).stem.strip(" .") or "file"
    return f"{stem[:150]}{stored_type(content_type, base)[1]}"


def sniff(head: bytes) -> str | None:
    """The content type the bytes say, or None for a type we do not accept."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, offset, content_type in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return content_type
    return None


def checked_upload(upload, kind: str) -> str:
    """The content type of an upload we accept (its bytes, not its name), or
    ValidationError on ``file``: too large, a type we do not take, an unknown kind."""
    errors = []
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        errors.append(_("The file is larger than %(mb)d MB.") % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)})
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None:
        errors.append(_("Only PDF, images (JPEG, PNG, GIF, WebP), recordings (MP3, WAV, AMR, M4A) and "
                        "Office documents are accepted."))
    if kind not in Attachment.Kind.values:
        errors.append(_("Unknown kind of evidence."))
    if errors:
        raise ValidationError({"file": errors})
    return content_type
