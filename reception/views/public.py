"""Pages without login on a tenant host: the intake form for visiting units, its tracking page,
and the guests' itinerary. Each is reached by this jurisdiction's host only."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.http import client_ip
from reception.forms import IntakeForm
from reception.models import PlanItem, ScheduleEntry, TaskStatus
from reception.selectors import itinerary_task, letter_tracked
from reception.selectors.meetings import schedule_entries
from reception.selectors.revisions import approved_plan
from reception.services.letters import letter_intake
from reception.throttle import intake_hit, intake_limit
from reception.tokens import intake_token
from reception.views.base import add_error
from tenants.models import Jurisdiction


def _tenant(request: HttpRequest) -> Jurisdiction:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        raise Http404
    return cast(Jurisdiction, tenant)


@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """A visiting unit submits its letter (rate-limited per address); it lands in the inbox."""
    jurisdiction = _tenant(request)
    form = IntakeForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not intake_hit(client_ip(request)):
            message = _("提交过于频繁：每个地址每小时最多提交 %(n)s 次，请一小时后再试。") % {"n": intake_limit()}
            return render(request, "reception/intake.html", {"form": form, "throttled": message}, status=429)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["files"] = data.pop("scans")
            try:
                letter = letter_intake(jurisdiction=jurisdiction, **data)
            except (DomainError, ValidationError) as exc:
                add_error(form, exc)
            else:
                token = intake_token(schema=jurisdiction.schema_name, letter_id=letter.pk)
                tracking_url = request.build_absolute_uri(f"/intake/track/{token}/")
                return render(request, "reception/intake_done.html", {"letter": letter, "tracking_url": tracking_url})
        status = 400
    return render(request, "reception/intake.html", {"form": form}, status=status)


def intake_track(request: HttpRequest, token: str) -> HttpResponse:
    """What became of a submitted letter (signed link; a tampered one is 404)."""
    letter = letter_tracked(jurisdiction=_tenant(request), token=token)
    if letter is None:
        raise Http404
    tasks = [t for t in letter.tasks.all() if t.status != TaskStatus.CANCELLED]
    return render(request, "reception/intake_track.html", {"letter": letter, "tasks": tasks})


def itinerary(request: HttpRequest, token: str) -> HttpResponse:
    """The guests' itinerary: where and when they eat, stay, ride and meet (no prices)."""
    task = itinerary_task(jurisdiction=_tenant(request), token=token)
    if task is None:
        raise Http404
    days: dict[date, list[PlanItem | ScheduleEntry]] = {}
    # The plan in force (an amendment's edits only once approved) and the current schedule.
    rows: list[PlanItem | ScheduleEntry] = [*approved_plan(task, ("items",)).items, *schedule_entries(task)]
    for item in rows:
        days.setdefault(timezone.localdate(item.starts_at), []).append(item)
    ordered = [(day, sorted(entries, key=lambda row: row.starts_at)) for day, entries in sorted(days.items())]
    return render(request, "reception/itinerary.html", {"task": task, "days": ordered})
