"""The demo step of seed_demo: last month's reports of 340100 and 340123, 340100's nine months
before, and a notice to every city, once."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from reporting.demo import DEMO_NOTICE, seed_reporting
from reporting.models import Delivery, Directive, Report
from reporting.reports.selectors import period_of, previous_month

pytestmark = pytest.mark.django_db


def test_demo_reports_and_notice_and_a_second_run_adds_nothing(tree, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        seed_reporting("unused", out)
    last = period_of(previous_month(timezone.localdate()))
    assert sorted(Report.objects.filter(period=last).values_list("jurisdiction__code", "status")) == [
        ("340100", "accepted"),
        ("340123", "submitted"),
    ]
    hefei = Report.objects.filter(jurisdiction__code="340100")
    assert hefei.count() == 10 and set(hefei.values_list("status", flat=True)) == {"accepted"}
    assert len(set(hefei.values_list("period", flat=True))) == 10  # ten consecutive months up to `last`
    assert max(hefei.values_list("period", flat=True)) == last
    directive = Directive.objects.get(title=DEMO_NOTICE)
    deliveries = Delivery.objects.filter(directive=directive)
    assert sorted(deliveries.values_list("target__code", "status")) == [
        ("340100", "delivered"),
        ("340200", "delivered"),
        ("340300", "delivered"),
    ]
    seed_reporting("unused", out)
    assert (Report.objects.count(), Directive.objects.count()) == (11, 1)
    assert out.getvalue().splitlines()[-1] == "demo reporting: already present"
