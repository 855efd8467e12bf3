"""Vocabulary shared by tasks, guests and standards."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Longest free text accepted anywhere in the workflow (content, itinerary, menu, comments).
TEXT_MAX = 5000


class ReceptionLevel(models.TextChoices):
    """The reception level of a task and the grade (级别) of a guest."""

    PROVINCIAL_MINISTERIAL = "provincial_ministerial", _("省部级")
    BUREAU = "bureau", _("厅局级")
    DIVISION = "division", _("县处级")
    SECTION = "section", _("乡科级")
    OTHER = "other", _("其他")


class MealType(models.TextChoices):
    BREAKFAST = "breakfast", _("早餐")
    LUNCH = "lunch", _("午餐")
    DINNER = "dinner", _("晚餐")


#: Seniority of grades, most senior first (seating and lodging order).
LEVEL_RANK = {level: rank for rank, level in enumerate(ReceptionLevel.values, start=1)}
