"""Evidence on a case (docs/rules.md §2): checked by its bytes
(complaints/attachments.py), stored under a name of ours, and in the history."""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from complaints import policies, selectors
from complaints.attachments import checked_upload, safe_name, stored_type
from complaints.exceptions import NotPermitted, TransitionNotAllowed
from complaints.models import Attachment, Complaint, State
from complaints.services.history import record_history


def store_attachment(complaint: Complaint, *, by: User, upload, kind: str, content_type: str) -> Attachment:
    """Keep a checked upload on a case, in the caller's transaction."""
    served_type, extension = stored_type(content_type, upload.name)
    shown = safe_name(upload.name, content_type)
    upload.name = f"{uuid.uuid4().hex}{extension}"  # stored under a name of ours, never the uploader's
    attachment = Attachment.objects.create(
        complaint=complaint, kind=kind, file=upload, original_name=shown,
        content_type=served_type, size=upload.size, uploaded_by=by,
    )
    record_history(complaint, at=attachment.uploaded_at, name="attach", from_state=complaint.state, by=by,
                   comment=attachment.original_name, data={"kind": kind})
    return attachment


def attachment_add(*, complaint_id: int, by: User, upload, kind: str = Attachment.Kind.OTHER) -> Attachment:
    content_type = checked_upload(upload, kind)
    with transaction.atomic():
        complaint = selectors.get_visible(user=by, complaint_id=complaint_id, lock=True)
        if complaint.state == State.ARCHIVED:
            raise TransitionNotAllowed(_("An archived complaint is read-only."))
        if not policies.may_add_evidence(complaint, by):
            raise NotPermitted(_("You may not add evidence to this complaint."))
        return store_attachment(complaint, by=by, upload=upload, kind=kind, content_type=content_type)
