"""Provider organisations (第三方/定点服务单位), their staff and the jurisdictions they serve."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    HOTEL = "hotel", _("宾馆")
    RESTAURANT = "restaurant", _("餐饮")
    FLEET = "fleet", _("车队")
    VENUE = "venue", _("会场")


class Provider(models.Model):
    """A designated hotel, restaurant, vehicle fleet or meeting venue."""

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=ProviderKind.choices)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务单位")
        verbose_name_plural = _("服务单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderServiceArea(models.Model):
    """A provider on a jurisdiction's designated list (定点)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="service_areas")
    jurisdiction = models.ForeignKey("tenants.Jurisdiction", on_delete=models.CASCADE, related_name="providers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("定点服务范围")
        verbose_name_plural = _("定点服务范围")
        constraints = [
            models.UniqueConstraint(fields=["provider", "jurisdiction"], name="provider_area_uniq"),
        ]


class ProviderStaff(models.Model):
    """A login of a provider organisation (not a jurisdiction member)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_staff")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="staff")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("服务单位人员")
        verbose_name_plural = _("服务单位人员")
