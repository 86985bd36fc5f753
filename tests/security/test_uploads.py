"""Evidence keeps no name an attacker chose (issue 15, item 2): it is stored and
served under the extension of the type its bytes are, and always downloaded."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.http import content_disposition_header

from complaints import attachments
from complaints.models import Attachment

pytestmark = pytest.mark.django_db

GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
SCRIPT = b"<script>new ActiveXObject('WScript.Shell').Run('calc')</script>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.parametrize("name, content, served, content_type", [
    ("invoice.hta", GIF + SCRIPT, "invoice.gif", "image/gif"),
    ("receipt.js", b"%PDF-1.4\n" + SCRIPT, "receipt.pdf", "application/pdf"),
    ("evil.html", b"\x89PNG\r\n\x1a\n" + SCRIPT, "evil.png", "image/png"),
    ("a.exe", b"PK\x03\x04" + SCRIPT, "a.zip", "application/zip"),
    ("赔款说明.docx", b"PK\x03\x04" + b"\x00" * 40, "赔款说明.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("../../etc/passwd.png", GIF, "passwd.gif", "image/gif"),
])
def test_an_upload_is_stored_and_served_under_the_extension_of_its_content(
        submit, client_for, name, content, served, content_type):
    case = submit(by="handler_gd")
    client = client_for("handler_gd")
    response = client.post(f"/complaints/{case.pk}/attach/",
                           {"kind": "receipt", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    attachment = Attachment.objects.get(complaint=case)
    assert attachment.original_name == served
    stored = attachment.file.name.rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}" + re.escape(served[served.rindex("."):]), stored)  # a name of ours
    download = client.get(f"/attachments/{attachment.pk}/")
    assert download.headers["Content-Disposition"] == content_disposition_header(True, served)
    assert download.headers["Content-Type"] == content_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_an_older_attachment_with_a_foreign_extension_is_still_downloaded_under_its_type(submit, client_for, staff):
    case = submit(by="handler_gd")
    old = Attachment.objects.create(complaint=case, file=SimpleUploadedFile("x.gif", GIF), original_name="invoice.hta",
                                    content_type="image/gif", size=len(GIF), uploaded_by=staff["handler_gd"])
    download = client_for("handler_gd").get(f"/attachments/{old.pk}/")
    assert download.headers["Content-Disposition"] == 'attachment; filename="invoice.gif"'


def test_safe_name_drops_folders_and_keeps_an_office_extension_only_on_a_zip():
    assert attachments.safe_name("C:\\Users\\x\\发票.hta", "image/gif") == "发票.gif"
    assert attachments.safe_name("report.docx", "application/zip") == "report.docx"
    assert attachments.safe_name("report.docx", "image/png") == "report.png"
    assert attachments.safe_name("", "application/pdf") == "file.pdf"
