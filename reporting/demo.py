"""Demo data for `seed_demo`: last month's reports of 合肥市 (accepted) and 肥西县 (submitted), and a
notice from the province to every city. Idempotent: a second run finds the notice and stops."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.models import User
from reporting.directives.services import directive_send
from reporting.models import Directive, DirectiveKind, Report
from reporting.reports.selectors import period_of, previous_month
from reporting.reports.services import report_review, report_submit
from tenants.models import Jurisdiction
from tenants.schema import tenant_context

DEMO_NOTICE = "关于做好公务接待统计直报工作的通知"


def seed_reporting(password: str, out: Any) -> None:
    if Directive.objects.filter(title=DEMO_NOTICE).exists():
        out.write("demo reporting: already present\n")
        return
    province = Jurisdiction.objects.get(code="340000")
    period = period_of(previous_month(timezone.localdate()))
    # 合肥市's earlier months too (its demo history holds receptions in each), accepted upward,
    # so that the province's statistics and trend show a year.
    hefei = Jurisdiction.objects.get(code="340100")
    month = previous_month(timezone.localdate())
    earlier = []
    for _ in range(9):
        month = previous_month(month)
        earlier.append(period_of(month))
    for older in reversed(earlier):
        if not Report.objects.filter(jurisdiction=hefei, period=older).exists():
            with tenant_context(hefei):
                report = report_submit(
                    actor=User.objects.get(username="340100-finance"), jurisdiction=hefei, period=older
                )
            report_review(
                actor=User.objects.get(username="340000-admin"), reviewer=province, report_id=report.pk, accept=True
            )
    for code in ("340100", "340123"):
        jurisdiction = Jurisdiction.objects.get(code=code)
        if not Report.objects.filter(jurisdiction=jurisdiction, period=period).exists():
            with tenant_context(jurisdiction):
                report = report_submit(
                    actor=User.objects.get(username=f"{code}-finance"), jurisdiction=jurisdiction, period=period
                )
            if code == "340100":
                report_review(
                    actor=User.objects.get(username="340000-admin"), reviewer=province, report_id=report.pk, accept=True
                )
    with tenant_context(province):
        directive_send(
            actor=User.objects.get(username="340000-admin"),
            sender=province,
            kind=DirectiveKind.NOTICE,
            title=DEMO_NOTICE,
            body="请各市于每月 5 日前通过平台上报上月公务接待统计数据，并督促所辖县区按时上报。",
            levels=["city"],
        )
    out.write(
        f"demo reporting: reports for {period} (340100 accepted, 340123 submitted), 340100's nine months "
        f"before it (accepted), a notice to every city\n"
    )
