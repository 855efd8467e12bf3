"""The jurisdiction tree (the tenants), their hosts, memberships with roles, and division data."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from core.transitions import Transition

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


class Application(models.Model):
    """A pilot city's or county's request to join (自助开通), reviewed by its superiors.

    The first admin's password is hashed on arrival (`admin_password_hash`); the tracking token
    is kept as its SHA-256 only. `steps` records provisioning progress: `[{name, status, seconds}]`.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", _("待审核")
        PROVISIONING = "provisioning", _("开通中")
        ACTIVE = "active", _("已开通")
        REJECTED = "rejected", _("未通过")
        FAILED = "failed", _("开通失败")

    #: Statuses that hold the code (no second application, no second jurisdiction).
    PENDING = (Status.APPLIED, Status.PROVISIONING)

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("区划代码"), max_length=6, validators=[division_code_validator], db_index=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        Jurisdiction, verbose_name=_("上级"), on_delete=models.PROTECT, related_name="applications_below"
    )
    slug = models.SlugField(_("拟用子域名"), max_length=63)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    admin_username = models.CharField(_("管理员用户名"), max_length=150)
    admin_password_hash = models.CharField(max_length=256)
    tracking_token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    reason = models.TextField(_("原因"), blank=True)
    steps = models.JSONField(_("开通进度"), default=list, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    active_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("开通申请")
        verbose_name_plural = _("开通申请")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One pending application per code, enforced by the database as well.
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status__in=["applied", "provisioning"]),
                name="tenants_application_one_pending_per_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）{self.get_status_display()}"

    @property
    def host(self) -> str:
        if self.jurisdiction_id is not None and self.jurisdiction is not None:
            return self.jurisdiction.host
        return f"{self.slug}.{settings.BASE_DOMAIN}"


_A = Application.Status
#: The onboarding application's state machine (`tenants/onboarding.py` reads it). Submitting
#: creates it `applied`. An admin of the parent jurisdiction (or an ancestor: `can_review`)
#: approves or rejects a pending or failed one; approving a failed one is a retry. The worker
#: activates a provisioning one, or records its failure. `done` is the audit action's last word:
#: tenants.application.<done> (`APPLICATION_ACTIONS`).
APPLICATION_TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(
        frozenset({_A.APPLIED, _A.FAILED}),
        _A.PROVISIONING,
        frozenset({Role.ADMIN}),
        "approved",
        detours=((_A.FAILED, (_A.PROVISIONING, "retried")),),
    ),
    "reject": Transition(frozenset({_A.APPLIED, _A.FAILED}), _A.REJECTED, frozenset({Role.ADMIN}), "rejected"),
    "provision": Transition(frozenset({_A.PROVISIONING}), _A.ACTIVE, done="provisioned"),
    "fail": Transition(frozenset({_A.PROVISIONING}), _A.FAILED, done="failed"),
}
#: The audit action of each `done` in the table (written out whole: grep finds it).
APPLICATION_ACTIONS = {
    "approved": "tenants.application.approved",
    "retried": "tenants.application.retried",
    "rejected": "tenants.application.rejected",
    "provisioned": "tenants.application.provisioned",
    "failed": "tenants.application.failed",
}


class SpareSchema(models.Model):
    """A schema cloned ahead of time from the template, renamed to a new tenant's on approval.

    `fingerprint` names the migrations the spare was cloned with; a spare whose fingerprint is
    not the code's is never used (and is dropped by `migrate` and by the refill task).
    """

    name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("备用模式")
        verbose_name_plural = _("备用模式")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name
