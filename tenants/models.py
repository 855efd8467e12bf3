"""The jurisdiction tree (the tenants), their hosts, memberships with roles, and division data."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

division_code_validator = RegexValidator(r"^\d{6}$", _("辖区代码必须是六位数字。"), code="invalid_code")


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地市级")
    COUNTY = "county", _("县区级")


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    DRAFTER = "drafter", _("拟办人")
    REVIEWER = "reviewer", _("审核领导")
    HANDLER = "handler", _("承办人")
    FINANCE = "finance", _("财务")
    SUPERVISOR = "supervisor", _("监督")
    COUNTERPART = "counterpart", _("对口接待单位")


#: Roles whose holders in an ancestor jurisdiction may read (never write) its subtree.
OVERSIGHT_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})
#: The administration's own staff (everyone but counterpart units).
STAFF_ROLES = frozenset({Role.ADMIN, Role.DRAFTER, Role.REVIEWER, Role.HANDLER, Role.FINANCE, Role.SUPERVISOR})
ALL_ROLES = frozenset(Role)


class Jurisdiction(TenantMixin):
    """A province, city or county reception office (辖区): one PostgreSQL schema, one host."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已申请")
        PROVISIONING = "provisioning", _("开通中")
        ACTIVE = "active", _("正常")
        SUSPENDED = "suspended", _("已停用")

    # Schemas are made by tenants.provisioning (clone from the checked template), never on save.
    auto_create_schema = False
    auto_drop_schema = False

    code = models.CharField(_("区划代码"), max_length=6, unique=True, validators=[division_code_validator])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Codes from the root down to this one, dot-separated: "340000.340100.340123".
    path = models.CharField(_("路径"), max_length=200, db_index=True)
    slug = models.SlugField(_("子域名"), max_length=63, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    is_pilot = models.BooleanField(_("试点"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("辖区")
        verbose_name_plural = _("辖区")
        ordering = ["code"]
        indexes = [models.Index(fields=["path"], name="tenants_jur_path_like", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def ancestor_codes(self) -> list[str]:
        return self.path.split(".")[:-1]

    @property
    def parent_code(self) -> str | None:
        codes = self.ancestor_codes
        return codes[-1] if codes else None

    @property
    def host(self) -> str:
        return f"{self.slug}.{settings.BASE_DOMAIN}"

    def is_ancestor_of(self, other: Jurisdiction) -> bool:
        return other.path.startswith(self.path + ".")


class Domain(DomainMixin):
    """A host name of a jurisdiction; old hosts stay as non-primary and redirect to the primary."""

    class Meta:
        verbose_name = _("域名")
        verbose_name_plural = _("域名")


class Membership(models.Model):
    """A person's role in one jurisdiction (分级授权). A user may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit_name = models.CharField(_("所在单位"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [models.UniqueConstraint(fields=["user", "jurisdiction", "role"], name="tenants_membership_uniq")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.jurisdiction.code} ({self.role})"


class Division(models.Model):
    """Reference data: one entry of the official division list (GB/T 2260), not a tenant."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True, validators=[division_code_validator])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent_code = models.CharField(_("上级代码"), max_length=6, blank=True)
    province_code = models.CharField(_("省级代码"), max_length=6, db_index=True)
    source = models.CharField(_("来源"), max_length=100)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
