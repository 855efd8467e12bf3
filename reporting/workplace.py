"""Reporting's part of each role's workplace (tenants.workplace): reports due, subordinates'
reports to review, directives to acknowledge, warnings; and the statistics shortcuts."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from reporting.directives.services import INBOX_ROLES
from reporting.models import Delivery, DeliveryStatus, Report, ReportStatus
from reporting.reports.selectors import deadline_for, period_of, previous_month
from reporting.reports.services import REVIEW_ROLES
from reporting.supervision.selectors import current_warnings
from tenants.models import Role
from tenants.permissions import Access
from tenants.workplace import Panel, PanelRow, Shortcut, register_panel, register_shortcut

PANEL_ROWS = 5
ADMINS = frozenset({Role.ADMIN})


def reports_due(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    """Last month's report, when it is not sent yet or was returned."""
    jurisdiction = access.jurisdiction
    period = period_of(previous_month(timezone.localdate()))
    current = Report.objects.filter(jurisdiction=jurisdiction, period=period, is_current=True).first()
    if current is not None and current.status != ReportStatus.RETURNED:
        return 0, []
    due = deadline_for(jurisdiction, period)
    status = "returned" if current else "missing"
    label = _t("已退回") if current else _t("未上报")
    row = PanelRow(
        _t("%(period)s 统计直报") % {"period": period},
        "/reporting/reports/",
        _t("截止 %(day)s") % {"day": due},
        status,
        label,
    )
    return 1, [row]


def subordinate_reports(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    reports = (
        Report.objects.filter(jurisdiction__parent=access.jurisdiction, is_current=True, status=ReportStatus.SUBMITTED)
        .select_related("jurisdiction")
        .order_by("period", "submitted_at")
    )
    rows = [
        PanelRow(
            f"{report.jurisdiction.name} · {report.period}",
            "/reporting/oversight/",
            "",
            "submitted",
            str(ReportStatus(report.status).label),
        )
        for report in reports[:PANEL_ROWS]
    ]
    return reports.count(), rows


def directives_to_acknowledge(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    deliveries = (
        Delivery.objects.filter(target=access.jurisdiction, status=DeliveryStatus.DELIVERED)
        .select_related("directive", "directive__sender")
        .order_by("directive__created_at", "id")
    )
    rows = [
        PanelRow(
            delivery.directive.title,
            f"/reporting/inbox/{delivery.pk}/",
            delivery.directive.sender.name,
            "submitted",
            str(DeliveryStatus(delivery.status).label),
        )
        for delivery in deliveries[:PANEL_ROWS]
    ]
    return deliveries.count(), rows


def warnings(access: Access, user: Any) -> tuple[int, list[PanelRow]]:
    found = sorted(current_warnings(jurisdiction=access.jurisdiction), key=lambda w: (w.severity != "error", w.task))
    rows = [
        PanelRow(
            f"{w.task_title} · {w.message}",
            f"/reception/tasks/{w.task}/",
            "",
            "returned" if w.severity == "error" else "submitted",
            _t("超标") if w.severity == "error" else _t("提醒"),
        )
        for w in found[:PANEL_ROWS]
    ]
    return len(found), rows


def _has_parent(access: Access) -> bool:
    return access.jurisdiction.parent_id is not None


def _has_children(access: Access) -> bool:
    return access.jurisdiction.children.exists()


def _anywhere(access: Access) -> bool:
    return True


def register() -> None:
    """Called from ReportingConfig.ready()."""
    for panel in (
        Panel(
            "reporting.reports_due", _("待上报的统计直报"), ADMINS, reports_due, "/reporting/reports/", 50, _has_parent
        ),
        Panel(
            "reporting.subordinate_reports",
            _("下级报送待审核"),
            REVIEW_ROLES,
            subordinate_reports,
            "/reporting/oversight/",
            51,
            _has_children,
        ),
        Panel(
            "reporting.directives",
            _("待确认的上级指令"),
            ADMINS & INBOX_ROLES,
            directives_to_acknowledge,
            "/reporting/inbox/",
            52,
            _has_parent,
        ),
        Panel("reporting.warnings", _("预警"), frozenset({Role.SUPERVISOR}), warnings, "/reporting/warnings/", 60),
    ):
        register_panel(panel)
    tree = _("上下级联动")
    stats = _("统计与监督")
    # Each page's own roles decide whether its link shows (tenants.workplace.link_allowed); `needs`
    # hides what the jurisdiction's place in the tree makes empty.
    for order, (title, url, group, needs) in enumerate(
        [
            (_("上级指令收件箱"), "/reporting/inbox/", tree, _has_parent),
            (_("统计直报"), "/reporting/reports/", tree, _has_parent),
            (_("向下级下发指令"), "/reporting/directives/", tree, _has_children),
            (_("下级直报监督"), "/reporting/oversight/", tree, _has_children),
            (_("统计分析"), "/reporting/", stats, _anywhere),
            (_("预警"), "/reporting/warnings/", stats, _anywhere),
            (_("年度接待预算"), "/reporting/budget/", stats, _anywhere),
            (_("年度信息公开"), "/reporting/disclosure/", stats, _anywhere),
            (_("大事记"), "/reporting/chronicle/", stats, _anywhere),
            (_("监督检查"), "/reporting/inspections/", stats, _anywhere),
        ]
    ):
        register_shortcut(Shortcut(title, url, group, order=100 + order, needs=needs))
