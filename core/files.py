"""Uploaded documents: what a file is (by its first bytes), its cleaned name, and storing it with
its row. Letters' scans and directives' attachments use these; each caller keeps its own limits,
messages and error codes. The row is a subclass of `core.models.Attachment`."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.core.files.uploadedfile import UploadedFile

from core.models import Attachment

#: Documents accepted by their first bytes (never by the name or the declared type).
DOCUMENT_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024

A = TypeVar("A", bound=Attachment)


def sniffed(
    upload: UploadedFile, signatures: tuple[tuple[bytes, str, str], ...] = DOCUMENT_SIGNATURES
) -> tuple[str, str] | None:
    """(content type, extension) of the file by its first bytes, or None when none matches."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next(((content_type, ext) for magic, content_type, ext in signatures if head.startswith(magic)), None)


def cleaned_name(upload: UploadedFile, *, fallback: str) -> str:
    """The uploaded file's own name, without any path or NUL, at most 200 characters (its end)."""
    return (upload.name or "").replace("\x00", "").rsplit("/", 1)[-1][-200:] or fallback


def attachment_stored(attachment: A, upload: UploadedFile, *, folder: str, extension: str) -> A:
    """Store the file under `folder` with a random name and save the row; a row that cannot be
    saved leaves no file behind."""
    attachment.file.save(f"{folder}/{uuid.uuid4().hex}.{extension}", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
