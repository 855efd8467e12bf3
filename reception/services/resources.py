"""The resource library: the admin adds, changes and removes entries; every member reads them.

Floor plans are images (PNG or JPEG by their first bytes and a successful decode, at most 5 MB,
at most 10,000 pixels a side). A dish whose name holds a banned menu word of the standards in
force is refused: the library only offers what a plan may use.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core.audit import audit_record
from core.errors import InvalidInput, NotFound
from core.models import User
from reception.models import Resource, ResourceKind
from reception.models.common import TEXT_MAX
from reception.models.plans import RoomType
from reception.models.resources import MAX_PRICE, PARENT_KINDS, PARENT_REQUIRED
from reception.selectors import standard_in_force, standard_values
from reception.services.arrangements import clean_text, serving_provider
from reception.services.common import check_version, require_roles, validated
from tenants.models import Jurisdiction, Role
from tenants.schema import current_schema

RESOURCE_ROLES = frozenset({Role.ADMIN})
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_SIDE = 10000
IMAGE_TYPES = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}
#: Fields a client sets (image aside), in the order audits show them.
RESOURCE_FIELDS = (
    "kind",
    "name",
    "description",
    "address",
    "phone",
    "parent",
    "provider",
    "price",
    "capacity",
    "room_type",
    "floor",
)


def _image(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of a real PNG or JPEG within the limits, or 400 on `image`."""
    size = upload.size or 0
    if size == 0:
        raise InvalidInput(_("文件为空。"), field="image", code="file_empty")
    if size > IMAGE_MAX_BYTES:
        raise InvalidInput(_("图片不能超过 5 MB。"), field="image", code="file_too_large")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not (head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"))):
        raise InvalidInput(_("平面图只接受 PNG 或 JPEG 图片。"), field="image", code="file_type")
    try:
        with Image.open(upload) as picture:
            kind, (width, height) = picture.format, picture.size
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(_("图片已损坏，无法读取。"), field="image", code="file_corrupt") from None
    finally:
        upload.seek(0)
    if kind not in IMAGE_TYPES:
        raise InvalidInput(_("平面图只接受 PNG 或 JPEG 图片。"), field="image", code="file_type")
    if max(width, height) > IMAGE_MAX_SIDE:
        raise InvalidInput(_("图片尺寸过大（每边最多 10000 像素）。"), field="image", code="image_too_large")
    return IMAGE_TYPES[kind]


def _clean(jurisdiction: Jurisdiction, values: dict[str, Any], changed: set[str], own_id: int | None) -> dict[str, Any]:
    kind = values["kind"]
    out: dict[str, Any] = {
        "kind": kind,
        "name": clean_text(values.get("name"), field="name", max_length=200),
        "description": clean_text(values.get("description"), field="description", max_length=TEXT_MAX, required=False),
        "address": clean_text(values.get("address"), field="address", max_length=300, required=False),
        "phone": clean_text(values.get("phone"), field="phone", max_length=30, required=False),
        "price": values.get("price"),
        "capacity": values.get("capacity"),
        "floor": values.get("floor"),
        "room_type": values.get("room_type") or "",
    }
    if out["price"] is not None and not Decimal(0) <= out["price"] <= MAX_PRICE:
        raise InvalidInput(_("价格超出范围。"), field="price", code="invalid")
    if kind == ResourceKind.ROOM:
        out["room_type"] = out["room_type"] or RoomType.STANDARD
    elif out["room_type"] and "room_type" in changed:
        raise InvalidInput(_("只有客房才有房型。"), field="room_type", code="not_applicable")
    else:
        out["room_type"] = ""
    parent_id = values.get("parent")
    if parent_id is None:
        if kind in PARENT_REQUIRED:
            raise InvalidInput(_("请选择所属的资源。"), field="parent", code="required")
        out["parent_id"] = None
    else:
        parent = Resource.objects.filter(pk=parent_id).only("kind").first()
        if parent is None or parent.pk == own_id or parent.kind not in PARENT_KINDS.get(kind, frozenset()):
            raise InvalidInput(_("所属资源不存在或类别不符。"), field="parent", code="invalid_parent")
        out["parent_id"] = parent.pk
    provider = values.get("provider")
    if "provider" in changed:
        out["provider_id"] = (
            None if provider is None else serving_provider(jurisdiction=jurisdiction, provider_id=provider).pk
        )
    if kind == ResourceKind.DISH:
        banned = standard_values(standard_in_force(timezone.localdate())).banned_menu_words
        if any(word in out["name"] for word in banned):
            raise InvalidInput(_("该菜品属于接待禁用品，不能收入资源库。"), field="name", code="banned_item")
    return out


def _snapshot(resource: Resource) -> dict[str, Any]:
    state = {
        name: getattr(resource, f"{name}_id" if name in ("parent", "provider") else name) for name in RESOURCE_FIELDS
    }
    state["image"] = resource.image.name or None
    return state


def _store_image(resource: Resource, upload: UploadedFile) -> None:
    content_type, extension = _image(upload)
    resource.image_type, resource.image_size = content_type, upload.size
    resource.image.save(f"resources/{current_schema()}/{uuid.uuid4().hex}.{extension}", upload, save=False)


@transaction.atomic
def resource_create(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    kind: str,
    name: str,
    description: str = "",
    address: str = "",
    phone: str = "",
    parent: int | None = None,
    provider: int | None = None,
    price: Decimal | None = None,
    capacity: int | None = None,
    room_type: str = "",
    floor: int | None = None,
    image: UploadedFile | None = None,
) -> Resource:
    """Add an entry (admin). A floor plan needs its image; a room and a floor plan their parent."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=RESOURCE_ROLES)
    if kind not in ResourceKind.values:
        raise InvalidInput(_("类别无效。"), field="kind", code="invalid_choice")
    values = {
        "kind": kind,
        "name": name,
        "description": description,
        "address": address,
        "phone": phone,
        "parent": parent,
        "provider": provider,
        "price": price,
        "capacity": capacity,
        "room_type": room_type,
        "floor": floor,
    }
    resource = Resource(created_by=actor, **_clean(jurisdiction, values, set(values), None))
    if kind == ResourceKind.FLOOR_PLAN and image is None:
        raise InvalidInput(_("请上传平面图图片。"), field="image", code="required")
    if image is not None:
        if kind != ResourceKind.FLOOR_PLAN:
            raise InvalidInput(_("只有平面图才上传图片。"), field="image", code="not_applicable")
        _store_image(resource, image)
    try:
        validated(resource).save()
    except Exception:
        if resource.image:
            resource.image.delete(save=False)
        raise
    audit_record(
        actor=actor,
        action="reception.resource.created",
        jurisdiction_code=jurisdiction.code,
        obj=resource,
        after=_snapshot(resource),
    )
    return resource


def _locked(resource_id: int) -> Resource:
    resource = Resource.objects.select_for_update().filter(pk=resource_id).first()
    if resource is None:
        raise NotFound(_("资源不存在。"))
    return resource


@transaction.atomic
def resource_update(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    resource_id: int,
    changes: dict[str, Any],
    version: int | None = None,
    image: UploadedFile | None = None,
) -> Resource:
    """Change an entry (admin); its kind stays. A stale `version` answers 409."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=RESOURCE_ROLES)
    resource = _locked(resource_id)
    check_version(resource, version)
    unknown = set(changes) - (set(RESOURCE_FIELDS) - {"kind"})
    if unknown:
        raise InvalidInput(_("不能修改该字段。"), field=sorted(unknown)[0], code="read_only")
    before = _snapshot(resource)
    current = {name: value for name, value in before.items() if name not in ("provider", "image")}
    for name, value in _clean(jurisdiction, {**current, **changes}, set(changes), resource.pk).items():
        setattr(resource, name, value)
    old_image = resource.image.name
    if image is not None:
        if resource.kind != ResourceKind.FLOOR_PLAN:
            raise InvalidInput(_("只有平面图才上传图片。"), field="image", code="not_applicable")
        _store_image(resource, image)
    resource.version += 1
    validated(resource).save()
    if image is not None and old_image:
        name = old_image
        transaction.on_commit(lambda: resource.image.storage.delete(name))
    audit_record(
        actor=actor,
        action="reception.resource.updated",
        jurisdiction_code=jurisdiction.code,
        obj=resource,
        before=before,
        after=_snapshot(resource),
    )
    return resource


@transaction.atomic
def resource_delete(*, actor: User, jurisdiction: Jurisdiction, resource_id: int, version: int | None = None) -> None:
    """Remove an entry (admin) with what hangs under it (a hotel's rooms, dishes, floor plans)."""
    require_roles(actor=actor, jurisdiction=jurisdiction, roles=RESOURCE_ROLES)
    resource = _locked(resource_id)
    check_version(resource, version)
    images = [str(r.image.name) for r in [resource, *resource.children.all()] if r.image]
    audit_record(
        actor=actor,
        action="reception.resource.deleted",
        jurisdiction_code=jurisdiction.code,
        obj=resource,
        before={**_snapshot(resource), "children": list(resource.children.values_list("pk", flat=True))},
    )
    storage = resource.image.storage
    resource.delete()

    def remove_files() -> None:
        for name in images:
            storage.delete(name)

    transaction.on_commit(remove_files)
