"""Writes of the tenants app: jurisdictions and their schemas, division data, members."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import Forbidden, InvalidInput, NotFound
from core.models import User
from core.passwords import password_reset_send
from tenants import divisions
from tenants.models import Division, Domain, Jurisdiction, Level, Membership, Role, division_code_validator
from tenants.permissions import access_for
from tenants.provisioning import provisioning_steps, schema_clone
from tenants.schema import tenant_context
from tenants.slugs import RESERVED, unique_slug


def _validate_code(code: str, *, field: str = "code") -> None:
    try:
        division_code_validator(code)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field=field, code="invalid_code") from exc


def validate_code_fits_parent(*, code: str, level: str, parent_code: str | None) -> None:
    """The code's digits must agree with its level and with its parent (GB/T 2260 structure)."""
    _validate_code(code)
    if level not in Level.values:
        raise InvalidInput(_("层级必须是 province、city 或 county。"), field="level", code="invalid_level")
    if level == Level.PROVINCE:
        if not code.endswith("0000"):
            raise InvalidInput(_("省级代码必须以 0000 结尾。"), field="code", code="code_level_mismatch")
        if parent_code:
            raise InvalidInput(_("省级辖区没有上级。"), field="parent_code", code="parent_mismatch")
        return
    if not parent_code:
        raise InvalidInput(_("必须指定上级辖区。"), field="parent_code", code="parent_required")
    _validate_code(parent_code, field="parent_code")
    if code[:2] != parent_code[:2]:
        raise InvalidInput(_("代码与上级不属于同一省份。"), field="code", code="parent_mismatch")
    if level == Level.CITY:
        if not code.endswith("00") or code.endswith("0000"):
            raise InvalidInput(_("地市级代码必须以 00 结尾（且不是 0000）。"), field="code", code="code_level_mismatch")
        if not parent_code.endswith("0000"):
            raise InvalidInput(_("地市的上级必须是省级辖区。"), field="parent_code", code="parent_mismatch")
        return
    if code.endswith("00"):
        raise InvalidInput(_("县区级代码不能以 00 结尾。"), field="code", code="code_level_mismatch")
    if parent_code.endswith("0000"):
        return  # a county-level division directly under its province (municipalities, 省直辖)
    if code[:4] != parent_code[:4]:
        raise InvalidInput(_("县区代码的前四位必须与所属地市相同。"), field="code", code="parent_mismatch")


@transaction.atomic
def jurisdiction_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    level: str,
    parent_code: str | None = None,
    slug: str | None = None,
    is_pilot: bool = False,
) -> tuple[Jurisdiction, bool]:
    """Create a jurisdiction with its schema (cloned) and host; idempotent by code.

    Returns (jurisdiction, created). An existing code is returned unchanged. Runs in one
    transaction: when any step fails, no row, schema or domain remains.
    """
    existing = Jurisdiction.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    name = (name or "").strip()
    if not name or len(name) > 100 or "\x00" in name:
        raise InvalidInput(_("名称不能为空，且不超过 100 个字。"), field="name", code="invalid_name")
    validate_code_fits_parent(code=code, level=level, parent_code=parent_code)
    parent = None
    if parent_code:
        parent = Jurisdiction.objects.filter(code=parent_code).first()
        if parent is None:
            raise InvalidInput(
                _("上级辖区 %(code)s 不存在。") % {"code": parent_code}, field="parent_code", code="parent_unknown"
            )
        if parent.level == Level.COUNTY or (level == Level.CITY and parent.level != Level.PROVINCE):
            raise InvalidInput(_("上级辖区的层级不符。"), field="parent_code", code="parent_mismatch")
    if slug:
        slug = slug.strip().lower()
        if slug in RESERVED or not _slug_ok(slug):
            raise InvalidInput(_("子域名只能包含小写字母、数字和连字符。"), field="slug", code="invalid_slug")
        if Jurisdiction.objects.filter(slug=slug).exists() or Domain.objects.filter(domain=_host(slug)).exists():
            raise InvalidInput(_("子域名已被使用。"), field="slug", code="slug_taken")
    else:
        slug = unique_slug(
            name,
            parent_slug=parent.slug if parent else None,
            code=code,
            taken=lambda s: (
                Jurisdiction.objects.filter(slug=s).exists() or Domain.objects.filter(domain=_host(s)).exists()
            ),
        )
    jurisdiction = Jurisdiction(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=f"{parent.path}.{code}" if parent else code,
        slug=slug,
        schema_name=f"j{code}",
        is_pilot=is_pilot,
        status=Jurisdiction.Status.ACTIVE,
    )
    jurisdiction.save()
    Domain.objects.create(domain=_host(slug), tenant=jurisdiction, is_primary=True)
    jurisdiction_provision_schema(jurisdiction)
    audit_record(
        actor=actor,
        action="tenants.jurisdiction.created",
        jurisdiction_code=code,
        obj=jurisdiction,
        after={"code": code, "name": name, "level": level, "parent": parent_code, "slug": slug},
    )
    return jurisdiction, True


def _host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _slug_ok(slug: str) -> bool:
    import re

    return bool(re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", slug))


def jurisdiction_provision_schema(jurisdiction: Jurisdiction) -> None:
    """Clone the template into the jurisdiction's schema and run every registered step there."""
    schema_clone(jurisdiction.schema_name)
    with tenant_context(jurisdiction):
        for step in provisioning_steps():
            step.run(jurisdiction)


@transaction.atomic
def divisions_import(*, province_code: str) -> int:
    """Load (or refresh) one province's official division list as reference data."""
    _validate_code(province_code, field="province")
    entries = divisions.province_entries(province_code)
    if not entries or entries[0].level != "province":
        raise InvalidInput(
            _("未知的省级代码 %(code)s。") % {"code": province_code}, field="province", code="unknown_province"
        )
    for entry in entries:
        Division.objects.update_or_create(
            code=entry.code,
            defaults={
                "name": entry.name,
                "level": entry.level,
                "parent_code": entry.parent_code,
                "province_code": entry.province_code,
                "source": divisions.SOURCE,
            },
        )
    return len(entries)


def divisions_create_tenants(*, actor: User | None, province_code: str, within: str | None = None) -> tuple[int, int]:
    """Make every loaded division of a province a jurisdiction; returns (created, existing).

    Each jurisdiction is created in its own transaction so a long run keeps what it has made.
    """
    created = existing = 0
    for division in Division.objects.filter(province_code=province_code).order_by("code"):
        if within and not (division.code == within or _descends(division, within)):
            continue
        _jurisdiction, was_created = jurisdiction_create(
            actor=actor,
            code=division.code,
            name=division.name,
            level=division.level,
            parent_code=division.parent_code or None,
        )
        created += was_created
        existing += not was_created
    return created, existing


def _descends(division: Division, ancestor_code: str) -> bool:
    if ancestor_code.endswith("0000"):
        return division.province_code == ancestor_code
    if ancestor_code.endswith("00"):
        return division.parent_code == ancestor_code
    return False


def user_ensure(*, username: str, password: str | None, display_name: str = "", phone: str = "") -> tuple[User, bool]:
    """Create the user, or update the password of an existing one; idempotent."""
    username = (username or "").strip()
    if not username or len(username) > 150 or "\x00" in username:
        raise InvalidInput(_("用户名不能为空，且不超过 150 个字符。"), field="username", code="invalid_username")
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username, display_name=display_name or username, phone=phone)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password", code="weak_password") from exc
        if created or not user.check_password(password):
            user.set_password(password)
    user.save()
    return user, created


@transaction.atomic
def membership_add(
    *, actor: User | None, user: User, jurisdiction: Jurisdiction, role: str, unit_name: str = ""
) -> tuple[Membership, bool]:
    """Give `user` a role in `jurisdiction`; idempotent."""
    if role not in Role.values:
        raise InvalidInput(_("未知角色 %(role)s。") % {"role": role}, field="role", code="invalid_role")
    membership, created = Membership.objects.get_or_create(
        user=user, jurisdiction=jurisdiction, role=role, defaults={"unit_name": unit_name}
    )
    if created:
        audit_record(
            actor=actor,
            action="tenants.membership.added",
            jurisdiction_code=jurisdiction.code,
            obj=membership,
            after={"user": user.username, "role": role, "unit_name": unit_name},
        )
    return membership, created


def member_password_reset(*, actor: User, jurisdiction: Jurisdiction, user_id: int) -> int:
    """A jurisdiction's admin e-mails one of its members a password reset link (through the
    outbox; audited in the jurisdiction's chain). Answers the number of messages queued."""
    if not access_for(actor, jurisdiction).can_write({Role.ADMIN}):
        raise Forbidden(_("您在该辖区没有执行此操作的权限。"))
    member = User.objects.filter(pk=user_id, memberships__jurisdiction=jurisdiction).distinct().first()
    if member is None:
        raise NotFound(_("该用户不是本辖区的成员。"))
    return len(password_reset_send(actor=actor, user=member, jurisdiction_code=jurisdiction.code))
