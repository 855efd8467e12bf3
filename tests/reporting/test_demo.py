"""The demo step of seed_demo: two reports and a notice to every city, once."""

from __future__ import annotations

import io

import pytest

from reporting.models import Delivery, Directive, Report
from reporting.reports_demo import DEMO_NOTICE, seed_reporting

pytestmark = pytest.mark.django_db


def test_demo_reports_and_notice_and_a_second_run_adds_nothing(tree, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        seed_reporting("unused", out)
    assert sorted(Report.objects.values_list("jurisdiction__code", "status")) == [
        ("340100", "accepted"),
        ("340123", "submitted"),
    ]
    directive = Directive.objects.get(title=DEMO_NOTICE)
    deliveries = Delivery.objects.filter(directive=directive)
    assert sorted(deliveries.values_list("target__code", "status")) == [
        ("340100", "delivered"),
        ("340200", "delivered"),
        ("340300", "delivered"),
    ]
    seed_reporting("unused", out)
    assert (Report.objects.count(), Directive.objects.count()) == (2, 1)
    assert out.getvalue().splitlines()[-1] == "demo reporting: already present"
