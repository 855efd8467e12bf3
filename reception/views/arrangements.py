"""The arrangement pages of a task: the meeting (roster, invitations), the schedule, the room grid
and the seating chart. Drafters and handlers change them in any state before settlement; every
member (and the ancestors' overseers) reads them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from core.db.replica import reporting_reads
from core.errors import DomainError, Forbidden, NotFound
from provider_portal.models import ProviderKind
from reception import selectors
from reception.forms import VersionForm, form_error_codes, form_errors
from reception.forms_arrangements import (
    AllocateForm,
    ConventionForm,
    MeetingForm,
    NoticeForm,
    PlaceForm,
    RosterForm,
    ScheduleEntryForm,
    SeatingForm,
    SwapForm,
)
from reception.models import ARRANGEABLE_STATUSES, Layout, NoticeKind
from reception.models.tasks import PLAN_ROLES
from reception.seating_pdf import seating_pdf_response
from reception.selectors import meetings as selectors_meetings
from reception.services import lodging, meetings, schedule, seating
from reception.services.arrangements import ARRANGE_ROLES
from reception.views.base import ReceptionPage, perform
from tenants.models import ALL_ROLES, Role


class ArrangementPage(ReceptionPage):
    """A task's arrangement page: GET for every member, POST (one of its forms) for arrangers."""

    roles_by_method = {"GET": ALL_ROLES, "POST": ARRANGE_ROLES}
    section = ""

    @property
    def back(self) -> str:
        return f"/reception/tasks/{self.kwargs['task_id']}/{self.section}/"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = selectors_meetings.task_row(self.kwargs["task_id"])
        context.update(
            task=task,
            section=self.section,
            can_arrange=self.can(ARRANGE_ROLES) and task.status in ARRANGEABLE_STATUSES,
        )
        return context

    def run(self, form: Any, action: Any, success: str) -> HttpResponse:
        """A valid form runs the service (message, back to the page); an invalid one says why."""
        if not form.is_valid():
            messages.error(self.request, form_errors(form), extra_tags=form_error_codes(form))
            return HttpResponseRedirect(self.back, status=303)
        return perform(self.request, lambda: action(form.cleaned_data), success=success, back=self.back)

    @property
    def who(self) -> dict[str, Any]:
        return {"actor": self.actor, "jurisdiction": self.jurisdiction, "task_id": self.kwargs["task_id"]}


class MeetingView(ArrangementPage):
    """The meeting: its settings, the roster import (errors row by row), invitations and notices."""

    template_name = "reception/meeting.html"
    section = "meeting"
    roles_by_method = {"GET": ALL_ROLES, "POST": ARRANGE_ROLES | PLAN_ROLES}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = context["task"]
        meeting = selectors_meetings.meeting_of(task)
        initial = (
            {"venue": meeting.venue, "international": meeting.international, "version": meeting.version}
            if meeting
            else {}
        )
        context.update(
            meeting=meeting,
            guests=selectors_meetings.task_guests_with_stays(task),
            notices=selectors_meetings.task_notices(task),
            meeting_form=MeetingForm(initial=initial),
            notice_form=NoticeForm(initial={"kind": NoticeKind.INVITATION}),
            can_import=self.can(PLAN_ROLES) and task.is_editable,
        )
        context.setdefault("roster_form", RosterForm())
        return context

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        which = request.POST.get("form")
        if which == "meeting":
            return self.run(
                MeetingForm(request.POST),
                lambda data: meetings.meeting_save(**self.who, **data),
                _("会议信息已保存。"),
            )
        if which == "notice":
            return self.run(
                NoticeForm(request.POST),
                lambda data: meetings.notice_send(**self.who, **data),
                _("已发送。"),
            )
        if which == "roster":
            return self.roster(request)
        raise Http404

    def roster(self, request: HttpRequest) -> HttpResponse:
        form = RosterForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = meetings.roster_import(
                    **self.who,
                    content=form.cleaned_data["file"].read(),
                    skip_bad_rows=form.cleaned_data["skip_bad_rows"],
                )
            except (Forbidden, NotFound):
                raise
            except DomainError as exc:
                form.add_error(
                    None if exc.field != "file" else "file", ValidationError(str(exc.message), code=exc.code)
                )
                context = self.get_context_data(roster_form=form, roster_errors=exc.extra.get("errors", []))
                return self.render_to_response(context, status=400 if exc.status_code == 400 else exc.status_code)
            text = _("已导入 %(n)s 位来宾。") % {"n": len(result.guests)}
            if result.skipped:
                text += _("跳过有误的行：%(rows)s。") % {
                    "rows": "、".join(str(r) for r in sorted({e.row for e in result.skipped}))
                }
            messages.success(request, text)
            return HttpResponseRedirect(self.back, status=303)
        return self.render_to_response(self.get_context_data(roster_form=form), status=400)


class ScheduleView(ArrangementPage):
    """The schedule by time with its forms, and the history of every change."""

    template_name = "reception/schedule.html"
    section = "schedule"

    def entry_form(self, data: Any = None, instance: Any = None) -> ScheduleEntryForm:
        initial = {"version": instance.version} if instance is not None else None
        providers = selectors.providers_serving(jurisdiction=self.jurisdiction)
        return ScheduleEntryForm(data, instance=instance, initial=initial, providers=providers, prefix="entry")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = context["task"]
        entries = list(selectors_meetings.schedule_entries(task))
        editing = self.request.GET.get("edit", "")
        current = next((e for e in entries if str(e.pk) == editing), None)
        context.update(
            entries=entries,
            history=selectors_meetings.schedule_history(task),
            editing=current,
            entry_form=self.entry_form(instance=current),
            delete_form=VersionForm(),
        )
        return context

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        entry_id = request.POST.get("entry", "")
        if entry_id and not entry_id.isdigit():
            raise Http404
        if request.POST.get("form") == "delete":
            return self.run(
                VersionForm(request.POST),
                lambda data: schedule.schedule_entry_delete(
                    **self.who, entry_id=int(entry_id), version=data["version"]
                ),
                _("日程已删除。"),
            )
        form = self.entry_form(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form), extra_tags=form_error_codes(form))  # type: ignore[arg-type]
            return HttpResponseRedirect(self.back, status=303)
        changes, version = form.changes()
        if entry_id:
            action: Any = lambda: schedule.schedule_entry_update(  # noqa: E731
                **self.who, entry_id=int(entry_id), changes=changes, version=version
            )
        else:
            action = lambda: schedule.schedule_entry_add(**self.who, **changes)  # noqa: E731
        return perform(request, action, success=_("日程已保存。"), back=self.back)


class LodgingView(ArrangementPage):
    """The room grid: floors × rooms per hotel, drag a guest onto a room to move or swap them,
    conflicts flagged; the one-click allocation form."""

    template_name = "reception/lodging.html"
    section = "lodging"

    def hotels(self) -> Any:
        return selectors.providers_serving(jurisdiction=self.jurisdiction).filter(kind=ProviderKind.HOTEL)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            overview=selectors_meetings.lodging_overview(context["task"]),
            # The task's nights: check in on its first day, check out on its last
            allocate_form=AllocateForm(
                hotels=self.hotels(),
                initial={"check_in": context["task"].start_date, "check_out": context["task"].end_date},
            ),
            place_form=PlaceForm(),
        )
        return context

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        which = request.POST.get("form")
        if which == "allocate":
            return self.run(
                AllocateForm(request.POST, hotels=self.hotels()),
                lambda data: lodging.lodging_allocate(**self.who, **data),
                _("已按级别分配房间。"),
            )
        if which == "place":
            return self.run(
                PlaceForm(request.POST),
                lambda data: lodging.lodging_place(**self.who, **{**data, "room": data["room"] or None}),
                _("已调整房间。"),
            )
        if which == "release":
            provider = request.POST.get("provider", "")
            if not provider.isdigit():
                raise Http404
            return perform(
                request,
                lambda: lodging.lodging_release(**self.who, provider=int(provider)),
                success=_("已取消该宾馆的分配。"),
                back=self.back,
            )
        raise Http404


class SeatingView(ArrangementPage):
    """The chart of a layout (saved, or a preview), generate it, swap two seats by dragging."""

    template_name = "reception/seating.html"
    section = "seating"

    def layout(self) -> str:
        layout = self.request.GET.get("layout") or self.request.POST.get("layout") or Layout.PODIUM
        return layout if layout in Layout.values else Layout.PODIUM

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        layout = self.layout()
        convention = selectors_meetings.seating_convention()
        chart = selectors_meetings.seating_chart(context["task"], layout)
        context.update(
            layout=layout,
            layouts=Layout.choices,
            chart=chart,
            seating_form=SeatingForm(initial={"layout": layout, "group_size": chart.group_size}),
            swap_form=SwapForm(initial={"layout": layout, "version": chart.version}),
            can_set_convention=self.can({Role.ADMIN}),
            convention_form=ConventionForm(
                initial={
                    "senior_side": selectors_meetings.convention_side(),
                    "version": convention.version if convention else None,
                }
            ),
        )
        return context

    @property
    def back(self) -> str:
        return f"/reception/tasks/{self.kwargs['task_id']}/seating/?layout={self.layout()}"

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        which = request.POST.get("form")
        if which == "generate":
            return self.run(
                SeatingForm(request.POST),
                lambda data: seating.seating_generate(**self.who, **{**data, "side": data["side"] or None}),
                _("座次图已生成。"),
            )
        if which == "swap":
            form = SwapForm(request.POST)
            return self.run(
                form,
                lambda data: seating.seating_swap(
                    **self.who, layout=data["layout"], a=form.seats()[0], b=form.seats()[1], version=data["version"]
                ),
                _("已交换座位。"),
            )
        raise Http404


class SeatingConventionView(ReceptionPage):
    """The admin sets the jurisdiction's podium side (from the seating page)."""

    roles_by_method = {"POST": {Role.ADMIN}}
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ConventionForm(request.POST)
        back = request.POST.get("next", "")
        if not back.startswith("/reception/") or "//" in back:
            back = "/reception/"
        if not form.is_valid():
            messages.error(request, form_errors(form), extra_tags=form_error_codes(form))
            return HttpResponseRedirect(back, status=303)
        return perform(
            request,
            lambda: seating.seating_convention_set(
                actor=self.actor, jurisdiction=self.jurisdiction, **form.cleaned_data
            ),
            success=_("本辖区座次惯例已保存。"),
            back=back,
        )


class SeatingPdfView(ReceptionPage):
    """The chart as a PDF (the layout asked for, else the one saved last)."""

    roles = ALL_ROLES

    @reporting_reads()
    def get(self, request: HttpRequest, task_id: int) -> HttpResponse:
        task = selectors_meetings.task_row(task_id)
        layout = request.GET.get("layout") or selectors_meetings.latest_chart_layout(task)
        if layout not in Layout.values:
            raise Http404
        return seating_pdf_response(task, layout)
