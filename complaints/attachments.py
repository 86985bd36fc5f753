"""Evidence uploads: size limit and type checked by content, not by name."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints import policies, selectors
from complaints.exceptions import NotPermitted, TransitionNotAllowed
from complaints.models import Attachment, State
from complaints.services import record_history

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


def attachment_add(*, complaint_id: int, by, upload, kind: str = Attachment.Kind.OTHER) -> Attachment:
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
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        if complaint.state == State.ARCHIVED:
            raise TransitionNotAllowed(_("An archived complaint is read-only."))
        if not policies.may_add_evidence(complaint, by):
            raise NotPermitted(_("You may not add evidence to this complaint."))
        attachment = Attachment.objects.create(
            complaint=complaint, kind=kind, file=upload, original_name=upload.name[:200],
            content_type=content_type, size=upload.size, uploaded_by=by,
        )
        record_history(complaint, at=attachment.uploaded_at, name="attach", from_state=complaint.state, by=by,
                       comment=attachment.original_name, data={"kind": kind})
    return attachment
