"""The standards page: the version in force and every version; the admin publishes a new one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from reception import selectors
from reception.forms import DATE
from reception.models import MealType, ReceptionLevel
from reception.services.standards import STANDARD_ROLES, standards_publish, superior_floor
from reception.standards import LIST_FIELDS, SCALAR_FIELDS, StandardValues
from reception.views.base import ReceptionPage, add_error
from tenants.models import ALL_ROLES


def _ceiling_name(level: str, meal_type: str) -> str:
    return f"ceiling_{level}_{meal_type}"


def _lodging_name(level: str) -> str:
    return f"lodging_{level}"


class StandardForm(forms.Form):
    """Every number of a version, prefilled with the one in force."""

    effective_from = forms.DateField(label=gettext_lazy("生效日期"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)
    accompany_small_group_size = forms.IntegerField(label=gettext_lazy("小型接待人数上限"), min_value=0, max_value=1000)
    accompany_small_group_limit = forms.IntegerField(
        label=gettext_lazy("小型接待陪餐上限"), min_value=0, max_value=1000
    )
    accompany_ratio = forms.IntegerField(label=gettext_lazy("陪餐比例（每几位客人一人）"), min_value=1, max_value=1000)
    working_meals_per_reception = forms.IntegerField(
        label=gettext_lazy("每次接待工作餐次数"), min_value=0, max_value=100
    )
    meal_warning_percent = forms.IntegerField(label=gettext_lazy("用餐预警比例（%）"), min_value=1, max_value=100)
    annual_budget_warning_percent = forms.IntegerField(
        label=gettext_lazy("年度预算预警比例（%）"), min_value=1, max_value=100
    )
    suite_grades = forms.MultipleChoiceField(
        label=gettext_lazy("可安排套间的级别"),
        choices=ReceptionLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    banned_menu_words = forms.CharField(
        label=gettext_lazy("菜单禁用词（每行一个）"), widget=forms.Textarea, required=False
    )
    banned_activity_words = forms.CharField(
        label=gettext_lazy("禁止安排的活动用词（每行一个）"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level, level_label in ReceptionLevel.choices:
            for meal_type, meal_label in MealType.choices:
                self.fields[_ceiling_name(level, meal_type)] = forms.DecimalField(
                    label=f"{level_label} · {meal_label}", min_value=0, max_digits=12, decimal_places=2
                )
        for level, level_label in ReceptionLevel.choices:
            self.fields[_lodging_name(level)] = forms.DecimalField(
                label=_("%(level)s · 住宿（元/间·晚）") % {"level": level_label},
                min_value=0,
                max_digits=12,
                decimal_places=2,
            )

    @classmethod
    def initial_from(cls, values: StandardValues) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(values, name) for name in SCALAR_FIELDS}
        initial["suite_grades"] = sorted(values.suite_grades)
        initial["banned_menu_words"] = "\n".join(values.banned_menu_words)
        initial["banned_activity_words"] = "\n".join(values.banned_activity_words)
        initial["effective_from"] = timezone.localdate()
        for (level, meal_type), amount in values.meal_ceilings.items():
            initial[_ceiling_name(level, meal_type)] = amount
        for level, amount in values.lodging_ceilings.items():
            initial[_lodging_name(level)] = amount
        return initial

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes: dict[str, Any] = {name: data[name] for name in SCALAR_FIELDS}
        changes["suite_grades"] = list(data["suite_grades"])
        for name in ("banned_menu_words", "banned_activity_words"):
            changes[name] = [w.strip() for w in data[name].splitlines() if w.strip()]
        changes["meal_ceilings"] = {
            (level, meal_type): Decimal(data[_ceiling_name(level, meal_type)])
            for level in ReceptionLevel.values
            for meal_type in MealType.values
        }
        changes["lodging_ceilings"] = {level: Decimal(data[_lodging_name(level)]) for level in ReceptionLevel.values}
        assert set(changes) == {*SCALAR_FIELDS, *LIST_FIELDS, "meal_ceilings", "lodging_ceilings"}
        return changes


class StandardsView(ReceptionPage):
    template_name = "reception/standards.html"
    roles_by_method = {"GET": ALL_ROLES, "POST": STANDARD_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        current = selectors.standard_values(selectors.standard_in_force(timezone.localdate()))
        context.update(
            current=current,
            ceilings=[
                (label, [current.meal_ceiling(level, meal_type) for meal_type in MealType.values])
                for level, label in ReceptionLevel.choices
            ],
            meal_types=MealType.choices,
            lodging=[(label, current.lodging_ceiling(level)) for level, label in ReceptionLevel.choices],
            superiors=superior_floor(),
            suite_labels=[ReceptionLevel(g).label for g in sorted(current.suite_grades)],
            versions=selectors.standard_versions(),
            can_publish=self.can(STANDARD_ROLES),
        )
        if context["can_publish"]:
            context.setdefault("form", StandardForm(initial=StandardForm.initial_from(current)))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = StandardForm(request.POST)
        if form.is_valid():
            try:
                standard = standards_publish(
                    actor=self.actor,
                    jurisdiction=self.jurisdiction,
                    effective_from=form.cleaned_data["effective_from"],
                    changes=form.changes(),
                    note=form.cleaned_data["note"],
                )
            except (DomainError, ValidationError) as exc:
                add_error(form, exc)
            else:
                messages.success(request, _("已发布第 %(v)s 版接待标准。") % {"v": standard.version})
                return HttpResponseRedirect("/reception/standards/", status=303)
        return self.render_to_response(self.get_context_data(form=form), status=400)
