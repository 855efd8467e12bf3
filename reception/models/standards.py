"""Reception standards (接待标准), versioned by effective date: rows are never changed.

A new version is a new row; a task records the version it was checked against on submission.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from reception.models.common import MealType, ReceptionLevel


class Standard(models.Model):
    """One version of the tenant's reception standards."""

    version = models.PositiveIntegerField(_("版本"))
    effective_from = models.DateField(_("生效日期"))
    # Accompanying diners (陪餐): guests ≤ small_group_size → at most small_group_limit;
    # more guests → at most ⌊guests / ratio⌋.
    accompany_small_group_size = models.PositiveSmallIntegerField(_("小型接待人数上限"), default=10)
    accompany_small_group_limit = models.PositiveSmallIntegerField(_("小型接待陪餐上限"), default=3)
    accompany_ratio = models.PositiveSmallIntegerField(_("陪餐比例（每几位客人一人）"), default=3)
    working_meals_per_reception = models.PositiveSmallIntegerField(_("每次接待工作餐次数"), default=1)
    meal_warning_percent = models.PositiveSmallIntegerField(_("用餐预警比例（%）"), default=90)
    annual_budget_warning_percent = models.PositiveSmallIntegerField(_("年度预算预警比例（%）"), default=80)
    suite_grades = models.JSONField(_("可安排套间的级别"), default=list)
    banned_menu_words = models.JSONField(_("菜单禁用词"), default=list)
    banned_activity_words = models.JSONField(_("禁止安排的活动用词"), default=list)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("接待标准")
        verbose_name_plural = _("接待标准")
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="reception_standard_version_uniq"),
            models.CheckConstraint(condition=models.Q(accompany_ratio__gte=1), name="reception_standard_ratio"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_from})"


class MealCeiling(models.Model):
    """A meal cost ceiling per person per meal, by reception level and meal type."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="meal_ceilings")
    level = models.CharField(_("接待级别"), max_length=30, choices=ReceptionLevel.choices)
    meal_type = models.CharField(_("餐别"), max_length=20, choices=MealType.choices)
    amount = models.DecimalField(_("人均上限"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("用餐标准")
        verbose_name_plural = _("用餐标准")
        constraints = [
            models.UniqueConstraint(fields=["standard", "level", "meal_type"], name="reception_ceiling_uniq"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="reception_ceiling_nonneg"),
        ]


class LodgingCeiling(models.Model):
    """A lodging ceiling per room-night, by the guests' grade (the travel lodging standards)."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="lodging_ceilings")
    level = models.CharField(_("级别"), max_length=30, choices=ReceptionLevel.choices)
    amount = models.DecimalField(_("每间每晚上限"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("住宿标准")
        verbose_name_plural = _("住宿标准")
        constraints = [
            models.UniqueConstraint(fields=["standard", "level"], name="reception_lodging_ceiling_uniq"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="reception_lodging_ceiling_nonneg"),
        ]


class SuperiorStandard(models.Model):
    """The standard a superior jurisdiction last pushed here (by a `standard` directive), one row
    per superior. Local versions may be stricter, never looser: it is the floor they are held to."""

    sender_code = models.CharField(_("上级辖区代码"), max_length=6, unique=True)
    sender_name = models.CharField(_("上级辖区"), max_length=100)
    directive_id = models.PositiveBigIntegerField(_("指令"))
    values = models.JSONField(_("上级标准"))
    received_at = models.DateTimeField(_("接收时间"), auto_now=True)

    class Meta:
        verbose_name = _("上级接待标准")
        verbose_name_plural = _("上级接待标准")
        ordering = ["sender_code"]
