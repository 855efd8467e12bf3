"""Forms of the web pages: they check shapes; services decide. Edit forms carry `version`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.models import ITEM_FIELDS, AccompanyingStaff, Guest, Letter, Payer, PlanItem, Task
from reception.models.common import TEXT_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class VersionedModelForm(forms.ModelForm):
    """A model form whose `version` says which copy the user edited (stale → conflict)."""

    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def changes(self) -> tuple[dict[str, Any], int | None]:
        data = dict(self.cleaned_data)
        return data, data.pop("version", None)


class LetterForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = [
            "number",
            "sending_unit",
            "purpose",
            "content",
            "itinerary",
            "people_count",
            "received_on",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {"received_on": DATE}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class IntakeForm(forms.ModelForm):
    """The public form of a visiting unit (no account)."""

    scans = MultipleFileField(label=_("公函扫描件（PDF、JPEG 或 PNG，每个不超过 5 MB）"), required=False)

    class Meta:
        model = Letter
        fields = [
            "number",
            "sending_unit",
            "purpose",
            "content",
            "itinerary",
            "people_count",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].required = True
        self.fields["contact_phone"].required = True


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["letter", "title", "level", "counterpart_unit", "start_date", "end_date", "budget"]
        widgets = {"start_date": DATE, "end_date": DATE}


class TaskEditForm(VersionedModelForm):
    class Meta:
        model = Task
        fields = ["title", "level", "counterpart_unit", "start_date", "end_date", "budget"]
        widgets = {"start_date": DATE, "end_date": DATE}


class GuestForm(VersionedModelForm):
    class Meta:
        model = Guest
        fields = ["name", "unit", "post", "grade", "phone"]


class StaffForm(VersionedModelForm):
    class Meta:
        model = AccompanyingStaff
        fields = ["name", "unit", "post"]


class ItemForm(VersionedModelForm):
    provider = forms.TypedChoiceField(label=_("服务单位"), required=False, coerce=int, empty_value=None)

    class Meta:
        model = PlanItem
        fields = [name for name in ITEM_FIELDS if name != "provider"]  # a choice of designated providers
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME, "menu": forms.Textarea(attrs={"rows": 2})}

    field_order = ["kind", "starts_at", "ends_at", "venue", "provider"]

    def __init__(self, *args: Any, providers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((p.pk, p.name) for p in providers)]
        self.fields["provider"].choices = choices  # type: ignore[attr-defined]
        payer = self.fields["payer"]
        payer.required = False
        payer.choices = [("", _("按规定（工作餐、用车、会议、考察为接待单位，其余来宾自理）")), *Payer.choices]  # type: ignore[attr-defined]
        if self.instance.pk and self.instance.provider_id:
            self.initial["provider"] = self.instance.provider_id


class CommentForm(VersionForm):
    comment = forms.CharField(
        label=_("退回意见"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("退回时必须填写意见。")},
    )


class ReasonForm(VersionForm):
    reason = forms.CharField(
        label=_("原因"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写原因。")},
    )


class AssignForm(VersionForm):
    handler = forms.CharField(label=_("承办人"), max_length=150, widget=forms.Select)

    def __init__(self, *args: Any, handlers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].widget.choices = [(u.username, u.label) for u in handlers]


def form_errors(form: forms.Form) -> str:
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def form_error_codes(form: forms.Form) -> str:
    """The stable codes of a form's errors, for the banner's `data-code` beside `form_errors`."""
    return " ".join(dict.fromkeys(e.code or "invalid" for errors in form.errors.as_data().values() for e in errors))


class FilterForm(forms.Form):
    """List filters (status, search, page): bad values are ignored, never an error page."""

    status = forms.CharField(required=False, max_length=30)
    q = forms.CharField(required=False, max_length=100)
