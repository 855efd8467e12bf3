"""Pages: compose with the subtree picker and delivery status with resend (sender), the inbox with
acknowledgement (target), the own reports page, the oversight dashboard and drill-down."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from reporting.models import Delivery, Directive, Report
from tests.conftest import HOSTS, refused_page, user
from tests.reporting.test_oversight import PERIOD, figures, report

pytestmark = pytest.mark.django_db


def browser(code: str, username: str | None = None) -> Client:
    client = Client(HTTP_HOST=HOSTS[code])
    if username:
        client.force_login(user(username))
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_compose_lists_the_subtree_and_sends(tree, django_capture_on_commit_callbacks):
    page = browser("340000", "340000-admin").get("/reporting/directives/new/")
    assert page.status_code == 200
    body = text(page)
    for code in ("340100", "340123", "340121", "340200", "340300"):
        assert f'name="targets" value="{code}"' in body
    assert 'name="subtrees" value="340100"' in body and 'name="levels" value="county"' in body
    with django_capture_on_commit_callbacks(execute=True):
        sent = browser("340000", "340000-admin").post(
            "/reporting/directives/new/",
            {
                "kind": "notice",
                "title": "页面下发的通知",
                "body": "正文",
                "subtrees": ["340100"],
                "targets": ["340200"],
            },
        )
    assert sent.status_code == 303, text(sent)
    directive = Directive.objects.get(title="页面下发的通知")
    assert sent["Location"] == f"/reporting/directives/{directive.pk}/"
    assert sorted(Delivery.objects.filter(directive=directive).values_list("target__code", flat=True)) == [
        "340100",
        "340121",
        "340123",
        "340200",
    ]
    status = text(browser("340000", "340000-supervisor").get(sent["Location"]))
    assert status.count('data-testid="delivery-row"') == 4 and "已送达" in status
    assert 'data-testid="resend"' not in status


def test_compose_refuses_outside_the_subtree_on_the_form(tree):
    response = browser("340100", "340100-admin").post(
        "/reporting/directives/new/", {"kind": "notice", "title": "越级", "targets": ["340200"]}
    )
    refused_page(response, 400, "outside_subtree")
    assert not Directive.objects.filter(title="越级").exists()


def test_the_inbox_page_acknowledges(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        browser("340000", "340000-admin").post(
            "/reporting/directives/new/", {"kind": "notice", "title": "请确认", "targets": ["340123"]}
        )
    inbox = text(browser("340123", "340123-handler").get("/reporting/inbox/"))
    assert "请确认" in inbox and inbox.count('data-testid="inbox-row"') == 1
    entry = Delivery.objects.get(directive__title="请确认")
    acknowledged = browser("340123", "340123-handler").post(f"/reporting/inbox/{entry.pk}/")
    assert acknowledged.status_code == 303
    entry.refresh_from_db()
    assert entry.status == "acknowledged"
    # read-only for the superior's overseer, 403 for another jurisdiction's user
    refused_page(browser("340123", "340000-admin").post(f"/reporting/inbox/{entry.pk}/"), 403, "forbidden")
    assert browser("340123", "340200-admin").get("/reporting/inbox/").status_code == 403


def test_the_reports_page_submits_and_shows_the_lock(tree):
    client = browser("340100", "340100-finance")
    assert client.get("/reporting/reports/").status_code == 200
    assert client.post("/reporting/reports/", {"period": PERIOD}).status_code == 303
    created = Report.objects.get(jurisdiction__code="340100", period=PERIOD)
    assert (
        browser("340000", "340000-admin")
        .post("/reporting/oversight/340100/", {"report": created.pk, "action": "accept"})
        .status_code
        == 303
    )
    page = text(client.get("/reporting/reports/"))
    assert 'data-testid="locked-reason"' in page and "锁定" in page
    refused = client.post("/reporting/reports/", {"period": PERIOD}, follow=True)
    refused_page(refused, 200, "report_locked")
    assert Report.objects.filter(jurisdiction__code="340100", period=PERIOD).count() == 1
    assert browser("340100", "340100-drafter").get("/reporting/reports/").status_code == 403


def test_the_dashboard_shows_the_tree_totals_and_trend(tree):
    report(tree, "340100", figures=figures(3, 10, "1000.50"))
    report(tree, "340123", figures=figures(1, 2, "99.99"), on_time=False)
    page = text(browser("340000", "340000-supervisor").get("/reporting/oversight/", {"period": PERIOD}))
    assert 'data-code="340100" data-status="submitted"' in page
    assert 'data-code="340123" data-status="late"' in page
    assert 'data-code="340200" data-status="missing"' in page
    assert "1100.49" in page and 'data-testid="trend"' in page
    drill = browser("340000", "340000-supervisor").get("/reporting/oversight/340123/")
    assert drill.status_code == 200 and "99.99" in text(drill) and 'name="action"' not in text(drill)
    assert browser("340100", "340100-admin").get("/reporting/oversight/340200/").status_code == 404
    assert browser("340100", "340123-admin").get("/reporting/oversight/").status_code == 403
    # the city's admin reviews its county on the drill-down page
    assert 'name="action"' in text(browser("340100", "340100-admin").get("/reporting/oversight/340123/"))


def test_pages_need_a_login(tree):
    for path in ("/reporting/inbox/", "/reporting/directives/", "/reporting/oversight/", "/reporting/reports/"):
        response = browser("340100").get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_home_page_links_the_modules(tree):
    home = text(browser("340100", "340100-admin").get("/"))
    assert 'href="/reporting/oversight/"' in home and 'href="/reporting/reports/"' in home
    county = text(browser("340123", "340123-admin").get("/"))
    assert 'href="/reporting/inbox/"' in county and 'href="/reporting/oversight/"' not in county


@pytest.mark.parametrize("period", ["0001-01", "9999-12", "soon", ""])
def test_the_dashboard_falls_back_to_last_month_on_a_bad_period(tree, period):
    assert browser("340000", "340000-admin").get("/reporting/oversight/", {"period": period}).status_code == 200
