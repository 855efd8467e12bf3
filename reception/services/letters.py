"""Letters (公函): registered by staff, or submitted by visitors and then registered or refused."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, NotFound
from core.files import DOCUMENT_MAX_BYTES, attachment_stored, cleaned_name, sniffed
from core.models import User
from core.notifications.phones import normalise_mobile
from reception.models import Letter, LetterAttachment, LetterStatus
from reception.services.common import require_roles, required_text, snapshot, validated
from tenants.models import Jurisdiction, Role
from tenants.schema import current_schema

LETTER_ROLES = frozenset({Role.COUNTERPART, Role.DRAFTER, Role.ADMIN})
LETTER_FIELDS = ("number", "sending_unit", "purpose", "content", "itinerary", "people_count", "received_on")
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")
ATTACHMENT_MAX_BYTES = DOCUMENT_MAX_BYTES
ATTACHMENTS_PER_LETTER = 10


def contact_mobile(value: str) -> str:
    """A contact's phone, when given, is a mainland mobile number (SMS goes to it); kept as 11 digits."""
    if not (value or "").strip():
        return ""
    number = normalise_mobile(value)
    if number is None:
        raise InvalidInput(_("请填写有效的中国大陆手机号码。"), field="contact_phone", code="invalid_phone")
    return number


def _letter(
    *,
    number: str,
    sending_unit: str,
    purpose: str,
    content: str,
    itinerary: str,
    people_count: int,
    received_on: date,
    status: str,
) -> Letter:
    return Letter(
        number=required_text(number, field="number", message=_("请填写公函编号。"), max_length=100),
        sending_unit=required_text(sending_unit, field="sending_unit", message=_("请填写来文单位。"), max_length=200),
        purpose=purpose,
        content=required_text(content, field="content", message=_("请填写公函内容。")),
        itinerary=(itinerary or "").strip(),
        people_count=people_count,
        received_on=received_on,
        status=status,
    )


@transaction.atomic
def letter_register(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    number: str,
    sending_unit: str,
    purpose: str,
    content: str,
    people_count: int,
    received_on: date,
    itinerary: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> Letter:
    """Register a letter received in hand (counterpart unit, drafter or admin), with the visiting
    unit's contact: the arrangements and the evaluation link go to them (a mobile number, an e-mail)."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=LETTER_ROLES)
    letter = _letter(
        number=number,
        sending_unit=sending_unit,
        purpose=purpose,
        content=content,
        itinerary=itinerary,
        people_count=people_count,
        received_on=received_on,
        status=LetterStatus.REGISTERED,
    )
    letter.contact_name = (contact_name or "").strip()
    letter.contact_phone = contact_mobile(contact_phone)
    letter.contact_email = (contact_email or "").strip()
    letter.created_by = letter.registered_by = actor
    letter.registered_at = timezone.now()
    validated(letter).save()
    audit_record(
        actor=actor,
        action="reception.letter.registered",
        jurisdiction_code=jurisdiction.code,
        obj=letter,
        after=snapshot(letter, LETTER_FIELDS + CONTACT_FIELDS),
    )
    return letter


@transaction.atomic
def letter_intake(
    *,
    jurisdiction: Jurisdiction,
    number: str,
    sending_unit: str,
    purpose: str,
    content: str,
    people_count: int,
    contact_name: str,
    contact_phone: str,
    itinerary: str = "",
    files: list[UploadedFile] | None = None,
) -> Letter:
    """A visiting unit's letter from the public intake form: it waits in the counterpart inbox."""
    letter = _letter(
        number=number,
        sending_unit=sending_unit,
        purpose=purpose,
        content=content,
        itinerary=itinerary,
        people_count=people_count,
        received_on=timezone.localdate(),
        status=LetterStatus.SUBMITTED_BY_VISITOR,
    )
    letter.contact_name = required_text(contact_name, field="contact_name", message=_("请填写联系人。"), max_length=50)
    letter.contact_phone = required_text(
        contact_phone, field="contact_phone", message=_("请填写联系电话。"), max_length=30
    )
    validated(letter).save()
    for upload in files or []:
        _attach(letter, upload)
    audit_record(
        actor=None,
        action="reception.letter.submitted",
        jurisdiction_code=jurisdiction.code,
        obj=letter,
        after={**snapshot(letter, LETTER_FIELDS), "contact_name": letter.contact_name},
    )
    return letter


def _pending_letter(letter_id: int) -> Letter:
    letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(_("公函不存在。"))
    if letter.status != LetterStatus.SUBMITTED_BY_VISITOR:
        raise Conflict(_("该公函已处理。"), code="letter_not_pending")
    return letter


@transaction.atomic
def letter_accept(*, actor: User, jurisdiction: Jurisdiction, letter_id: int) -> Letter:
    """Register a letter a visitor submitted: from now on tasks may be opened from it."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=LETTER_ROLES)
    letter = _pending_letter(letter_id)
    letter.status = LetterStatus.REGISTERED
    letter.registered_by = actor
    letter.registered_at = timezone.now()
    letter.save(update_fields=["status", "registered_by", "registered_at"])
    audit_record(
        actor=actor,
        action="reception.letter.registered",
        jurisdiction_code=jurisdiction.code,
        obj=letter,
        before={"status": LetterStatus.SUBMITTED_BY_VISITOR},
        after={"status": letter.status},
    )
    return letter


@transaction.atomic
def letter_reject(*, actor: User, jurisdiction: Jurisdiction, letter_id: int, reason: str) -> Letter:
    """Refuse a visitor's letter, with the reason the visitor sees on the tracking page."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=LETTER_ROLES)
    reason = required_text(reason, field="reason", message=_("请填写不予登记的理由。"))
    letter = _pending_letter(letter_id)
    letter.status = LetterStatus.REJECTED
    letter.reject_reason = reason
    letter.save(update_fields=["status", "reject_reason"])
    audit_record(
        actor=actor,
        action="reception.letter.rejected",
        jurisdiction_code=jurisdiction.code,
        obj=letter,
        before={"status": LetterStatus.SUBMITTED_BY_VISITOR},
        after={"status": letter.status},
        comment=reason,
    )
    return letter


def _attach(letter: Letter, upload: UploadedFile) -> LetterAttachment:
    size = upload.size or 0
    if size == 0:
        raise InvalidInput(_("文件为空。"), field="file", code="file_empty")
    if size > ATTACHMENT_MAX_BYTES:
        raise InvalidInput(_("文件不能超过 5 MB。"), field="file", code="file_too_large")
    if letter.attachments.count() >= ATTACHMENTS_PER_LETTER:
        raise InvalidInput(_("每份公函最多 10 个附件。"), field="file", code="too_many_files")
    found = sniffed(upload)
    if found is None:
        raise InvalidInput(_("只接受 PDF、JPEG 或 PNG 文件。"), field="file", code="file_type")
    content_type, extension = found
    attachment = LetterAttachment(
        letter=letter,
        original_name=cleaned_name(upload, fallback=f"letter.{extension}"),
        content_type=content_type,
        size=size,
    )
    return attachment_stored(attachment, upload, folder=f"letters/{current_schema()}", extension=extension)


@transaction.atomic
def letter_attachment_add(
    *, actor: User, jurisdiction: Jurisdiction, letter_id: int, upload: UploadedFile
) -> LetterAttachment:
    """Attach a scan (PDF/JPEG/PNG, at most 5 MB) to a letter."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=LETTER_ROLES)
    letter = Letter.objects.select_for_update().filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(_("公函不存在。"))
    attachment = _attach(letter, upload)
    audit_record(
        actor=actor,
        action="reception.letter.attachment_added",
        jurisdiction_code=jurisdiction.code,
        obj=letter,
        after={"attachment": attachment.pk, "name": attachment.original_name, "size": attachment.size},
    )
    return attachment
