"""Uploaded files (dossier components, results, documents, evidence): size limit, type by content,
safe stored names, malware scanning (`core.scanning`).

The declared content type and the file name of an upload are what the sender says; neither is
trusted. The type is read from the first bytes (and, for Office files, from the zip's own
index), the stored name is built from a random token and a folded version of the given name,
and the extension is the one of the detected type. Files live under MEDIA_ROOT, which has no
public URL: they are served by a view that checks who asks (`views_intake.component_file`).

Settings (in `settings.LIENTHONG`): `UPLOAD_MAX_BYTES` (default 20 MiB) and `UPLOAD_TYPES`
(default: pdf, jpeg, png, docx, xlsx).
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lienthong.core import scanning
from lienthong.core.text import fold

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    """A kind of file accepted with a dossier."""

    key: str
    label: str
    extension: str
    content_type: str


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("pdf", "PDF", ".pdf", "application/pdf"),
    "jpeg": FileType("jpeg", "JPEG", ".jpg", "image/jpeg"),
    "png": FileType("png", "PNG", ".png", "image/png"),
    "docx": FileType(
        "docx",
        "Word (DOCX)",
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": FileType(
        "xlsx",
        "Excel (XLSX)",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}
DEFAULT_TYPES = ("pdf", "jpeg", "png", "docx", "xlsx")
_SAFE = re.compile(r"[^a-z0-9]+")


def max_upload_bytes() -> int:
    """The largest file accepted, from `LIENTHONG["UPLOAD_MAX_BYTES"]`."""
    return int(getattr(settings, "LIENTHONG", {}).get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_types() -> list[FileType]:
    """The accepted kinds of file, from `LIENTHONG["UPLOAD_TYPES"]`."""
    keys = getattr(settings, "LIENTHONG", {}).get("UPLOAD_TYPES", DEFAULT_TYPES)
    return [FILE_TYPES[key] for key in keys if key in FILE_TYPES]


def _office_kind(head_and_file: IO[bytes]) -> str | None:
    """docx or xlsx from the zip's index (the central directory only, never the contents)."""
    try:
        with zipfile.ZipFile(head_and_file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def sniff(stream: IO[bytes]) -> str | None:
    """The kind of file by its content (a key of FILE_TYPES), or None if not one we know."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    kind: str | None = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"PK\x03\x04"):
        kind = _office_kind(stream)
    stream.seek(0)
    return kind


def safe_name(given: str, file_type: FileType) -> str:
    """A stored name: random token, folded ASCII stem of the given name, the type's extension.

    The token keeps names unguessable and unique; the stem keeps them recognisable.
    """
    stem = given.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    folded = _SAFE.sub("-", fold(stem)).strip("-")[:60].strip("-") or "tep"
    return f"{secrets.token_hex(8)}-{folded}{file_type.extension}"


def display_name(stored: str) -> str:
    """The name to offer on download: the stored name without folder and token."""
    base = stored.rsplit("/", 1)[-1]
    token, sep, rest = base.partition("-")
    return rest if sep and len(token) == 16 else base


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks, with its detected type and the name to store it as."""

    file: Any
    file_type: FileType
    stored_name: str
    size: int


def check_upload(upload: Any, *, label: str = "") -> CheckedUpload:
    """Check one uploaded file (Django UploadedFile or File); ValidationError with a clear
    Vietnamese message naming `label` (the component) when it is empty, too big, of a kind not
    accepted, or found infected by the malware scanner (`lienthong.core.scanning`)."""
    what = label or _("Tệp")
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ValidationError(_("%(what)s: tệp rỗng.") % {"what": what}, code="empty_file")
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            _("%(what)s: tệp %(size)s vượt quá giới hạn %(limit)s.")
            % {"what": what, "size": size_text(size), "limit": size_text(limit)},
            code="file_too_large",
        )
    stream = upload.file if hasattr(upload, "file") and upload.file is not None else upload
    if not hasattr(stream, "seek"):
        stream = io.BytesIO(upload.read())
    kind = sniff(stream)
    accepted = allowed_types()
    file_type = next((t for t in accepted if t.key == kind), None)
    if file_type is None:
        raise ValidationError(
            _("%(what)s: chỉ nhận tệp %(types)s (nội dung tệp đã gửi không thuộc loại nào).")
            % {"what": what, "types": ", ".join(t.label for t in accepted)},
            code="file_type",
        )
    name = str(getattr(upload, "name", "") or "")
    scanning.check_clean(stream, label=what, name=name)
    return CheckedUpload(upload, file_type, safe_name(name, file_type), size)


def size_text(size: int) -> str:
    """A size as people read it: "20 MB", "1,5 MB", "300 KB" (decimal comma)."""
    if size >= 1024 * 1024:
        text = f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
        return f"{text.replace('.', ',')} MB"
    return f"{max(1, round(size / 1024))} KB"


def content_type_of(stored_name: str) -> str:
    """The content type to serve a stored file with, from its (our own) extension."""
    for file_type in FILE_TYPES.values():
        if stored_name.lower().endswith(file_type.extension):
            return file_type.content_type
    return "application/octet-stream"
