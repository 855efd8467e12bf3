"""Forms of the meeting, schedule, lodging, seating and library pages: shapes only, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reception import seating
from reception.forms import DATE, DATETIME, VersionForm
from reception.models import Layout, NoticeKind, Resource, ResourceKind, ScheduleEntry, Side
from reception.models.common import TEXT_MAX
from reception.models.plans import RoomType
from reception.roster import MAX_BYTES


def provider_choices(providers: Any) -> list[tuple[Any, str]]:
    return [("", "—"), *((p.pk, p.name) for p in providers)]


class MeetingForm(VersionForm):
    venue = forms.CharField(label=_("会场"), max_length=200, required=False)
    international = forms.BooleanField(label=_("外事活动（以右为上）"), required=False)


class RosterForm(forms.Form):
    file = forms.FileField(label=_("来宾名单（.xlsx）"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    skip_bad_rows = forms.BooleanField(label=_("跳过有误的行，只导入正确的行"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过 5 MB。"))
        return upload


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=NoticeKind.choices)
    subject = forms.CharField(label=_("标题"), max_length=200, required=False)
    body = forms.CharField(
        label=_("内容（邀请可留空，按任务自动生成）"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScheduleEntryForm(forms.ModelForm):
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    provider = forms.TypedChoiceField(label=_("服务单位"), required=False, coerce=int, empty_value=None)

    class Meta:
        model = ScheduleEntry
        fields = ["starts_at", "ends_at", "title", "venue", "note"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    field_order = ["starts_at", "ends_at", "title", "venue", "provider", "note"]

    def __init__(self, *args: Any, providers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = provider_choices(providers)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["provider"] = self.instance.provider_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            # The model's check constraint says the same without a code; an error here skips it.
            self.add_error("ends_at", forms.ValidationError(_("结束时间不能早于开始时间。"), code="end_before_start"))
        return cleaned

    def changes(self) -> tuple[dict[str, Any], int | None]:
        data = dict(self.cleaned_data)
        return data, data.pop("version", None)


#: What people write for a room type: its label (Chinese or English), a short form, or its code.
ROOM_TYPE_WORDS = {
    "标准间": RoomType.STANDARD,
    "标间": RoomType.STANDARD,
    "普通套间": RoomType.SUITE,
    "套间": RoomType.SUITE,
    "套": RoomType.SUITE,
    "standard": RoomType.STANDARD,
    "suite": RoomType.SUITE,
    "standard room": RoomType.STANDARD,
    "ordinary suite": RoomType.SUITE,
}


class AllocateForm(forms.Form):
    provider = forms.TypedChoiceField(label=_("宾馆"), coerce=int)
    rooms = forms.CharField(
        label=_("房间（每行一间：房号 房型，房型为标准间或套间；留空则用资源库中登记的客房）"),
        required=False,
        max_length=40000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": _("601 标准间\n801 套间")}),
    )
    check_in = forms.DateField(label=_("入住日期"), required=False, widget=DATE)
    check_out = forms.DateField(label=_("退房日期"), required=False, widget=DATE)

    def __init__(self, *args: Any, hotels: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(h.pk, h.name) for h in hotels]  # type: ignore[attr-defined]

    def clean_rooms(self) -> list[dict[str, Any]] | None:
        lines = [line.split() for line in self.cleaned_data["rooms"].splitlines() if line.strip()]
        if not lines:
            return None
        rooms = []
        for parts in lines:
            room_type = ROOM_TYPE_WORDS.get(parts[1].casefold(), "") if len(parts) > 1 else RoomType.STANDARD
            if len(parts) > 2 or room_type not in RoomType.values:
                raise forms.ValidationError(_("每行写“房号 房型”，房型为标准间或套间。"), code="invalid_room")
            rooms.append({"number": parts[0], "type": room_type})
        return rooms


class PlaceForm(VersionForm):
    provider = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    guest = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    room = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)


class SeatingForm(forms.Form):
    layout = forms.ChoiceField(label=_("形式"), choices=Layout.choices)
    side = forms.ChoiceField(
        label=_("尊位方向"), choices=[("", _("按会议或本辖区惯例")), *Side.choices], required=False
    )
    group_size = forms.IntegerField(
        label=_("每排（主席台）或每桌（宴会）座位数"), required=False, min_value=1, max_value=seating.MAX_ROW_SIZE
    )


class SwapForm(VersionForm):
    layout = forms.ChoiceField(choices=Layout.choices, widget=forms.HiddenInput)
    a = forms.RegexField(regex=r"^\d{1,4}-\d{1,4}$", widget=forms.HiddenInput)
    b = forms.RegexField(regex=r"^\d{1,4}-\d{1,4}$", widget=forms.HiddenInput)

    def seats(self) -> tuple[tuple[int, int], tuple[int, int]]:
        a, b = (self.cleaned_data[name].split("-") for name in ("a", "b"))
        return (int(a[0]), int(a[1])), (int(b[0]), int(b[1]))


class ConventionForm(VersionForm):
    senior_side = forms.ChoiceField(label=_("本辖区主席台尊位方向"), choices=Side.choices)


class ResourceForm(forms.ModelForm):
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    parent = forms.TypedChoiceField(label=_("所属"), required=False, coerce=int, empty_value=None)
    provider = forms.TypedChoiceField(label=_("定点服务单位"), required=False, coerce=int, empty_value=None)
    image = forms.FileField(
        label=_("平面图图片（PNG 或 JPEG，不超过 5 MB）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    class Meta:
        model = Resource
        fields = ["kind", "name", "description", "address", "phone", "price", "capacity", "room_type", "floor"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    field_order = ["kind", "name", "parent", "provider"]

    def __init__(self, *args: Any, parents: Any = (), providers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((r.pk, f"{r.name}（{r.get_kind_display()}）") for r in parents),
        ]
        self.fields["provider"].choices = provider_choices(providers)  # type: ignore[attr-defined]
        self.fields["kind"].choices = ResourceKind.choices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["kind"].disabled = True
            self.initial.update(parent=self.instance.parent_id, provider=self.instance.provider_id)

    def changes(self) -> tuple[dict[str, Any], int | None]:
        data = dict(self.cleaned_data)
        data.pop("image", None)
        if self.instance.pk:
            data.pop("kind", None)
        return data, data.pop("version", None)
