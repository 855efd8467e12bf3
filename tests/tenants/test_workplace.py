"""Sign-in lands on work, and each role's workplace: its to-do first, then only the links it may open."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from reception.models import LetterStatus, TaskStatus
from tests.conftest import HOSTS, PASSWORD, PUBLIC_HOST, in_tenant, user
from tests.reception.factories import LetterFactory, TaskFactory

HEFEI = HOSTS["340100"]


def signed_in(username: str, host: str = HEFEI) -> Client:
    client = Client(HTTP_HOST=host)
    client.force_login(user(username))
    return client


def sign_in(username: str) -> Any:
    return Client(HTTP_HOST=PUBLIC_HOST).post("/accounts/login/", {"username": username, "password": PASSWORD})


def panels(html: str) -> dict[str, int]:
    """Each shown panel's key and count."""
    found = re.findall(
        r'data-panel="([\w.]+)">\s*<h3><a [^>]*>[^<]*</a> <span class="count" data-testid="panel-count">(\d+)', html
    )
    return {key: int(count) for key, count in found}


# --- Landing ------------------------------------------------------------------------------


def test_one_jurisdiction_lands_on_its_workplace(tree):
    response = sign_in("340100-drafter")
    assert response.status_code == 302
    assert response["Location"] == "/work/"
    client = Client(HTTP_HOST=PUBLIC_HOST)
    client.force_login(user("340100-drafter"))
    assert client.get("/work/")["Location"] == "http://hefei.localhost/"


def test_several_jurisdictions_land_on_a_chooser_with_pending_work(tree):
    from tenants.services import membership_add

    membership_add(actor=None, user=user("340100-drafter"), jurisdiction=tree["340200"], role="reviewer")
    with in_tenant("340100"):
        TaskFactory(status=TaskStatus.RETURNED)
        TaskFactory(status=TaskStatus.DRAFT)
        TaskFactory(status=TaskStatus.APPROVED)  # not the drafter's work
    with in_tenant("340200"):
        TaskFactory(status=TaskStatus.SUBMITTED)
    client = Client(HTTP_HOST=PUBLIC_HOST)
    client.force_login(user("340100-drafter"))
    landing = client.get("/work/")
    assert landing["Location"] == "http://localhost/"
    page = client.get("/").content.decode()
    entries = re.findall(
        r"<strong>([^<]+)</strong>\s*<span [^>]*data-testid=\"chooser-pending\"[^>]*>(\d+) 项待办", page
    )
    assert entries == [("合肥市", "2"), ("芜湖市", "1")]


def test_a_provider_lands_on_its_order_inbox(tree):
    from provider_portal.services import provider_add
    from tenants.services import user_ensure

    staff, _created = user_ensure(username="p-landing", password=PASSWORD, display_name="稻香楼")
    provider_add(actor=None, name="稻香楼宾馆", kind="hotel", serves=[tree["340100"]], staff_user=staff)
    client = Client(HTTP_HOST=PUBLIC_HOST)
    client.force_login(staff)
    assert client.get("/work/")["Location"] == "http://localhost/provider/"


def test_signed_in_users_never_see_the_login_form(tree):
    client = Client(HTTP_HOST=PUBLIC_HOST)
    client.force_login(user("340100-drafter"))
    response = client.get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/work/"
    # …and a `next` still wins (single sign-on sends people through here)
    assert client.get("/accounts/login/?next=/onboarding/apply/")["Location"] == "/onboarding/apply/"


def test_the_landing_needs_a_sign_in(tree):
    response = Client(HTTP_HOST=PUBLIC_HOST).get("/work/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- The workplace by role ----------------------------------------------------------------


@pytest.fixture
def work(tree: dict[str, Any]) -> dict[str, Any]:
    """One piece of work in each state that some role must act on, in 合肥."""
    with in_tenant("340100"):
        handler = user("340100-handler")
        return {
            "returned": TaskFactory(title="退回的方案", status=TaskStatus.RETURNED),
            "draft": TaskFactory(title="起草中的方案", status=TaskStatus.DRAFT),
            "submitted": TaskFactory(title="待审的方案", status=TaskStatus.SUBMITTED),
            "approved": TaskFactory(title="待指派的任务", status=TaskStatus.APPROVED),
            "mine": TaskFactory(title="我承办的任务", status=TaskStatus.IN_PROGRESS, handler=handler),
            "letter": LetterFactory(number="皖来〔2026〕9号", status=LetterStatus.SUBMITTED_BY_VISITOR),
        }


EXPECTED = {
    "drafter": {
        "reception.letters_to_register": 1,
        "reception.letters_without_task": 0,
        "reception.returned_and_drafts": 2,
        "reception.lists_to_draft": 0,
    },
    "reviewer": {"reception.plans_to_review": 1, "reception.lists_to_review": 0, "reception.tasks_to_assign": 1},
    "handler": {"reception.tasks_to_dispatch": 1, "reception.tasks_to_complete": 0},
    "finance": {"reception.costs_to_approve": 0, "reception.lists_to_draft": 0},
    "counterpart": {"reception.letters_to_register": 1, "reception.letters_without_task": 0},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_own_to_do_first(work, role):
    page = signed_in(f"340100-{role}").get("/").content.decode()
    assert panels(page) == EXPECTED[role]
    assert page.index('data-testid="todo"') < page.index('data-testid="shortcuts"')


def test_the_drafter_sees_returned_plans_before_drafts(work):
    page = signed_in("340100-drafter").get("/").content.decode()
    assert page.index("退回的方案") < page.index("起草中的方案")
    assert "待审的方案" not in page


def test_admin_sees_reports_due_and_directives_to_acknowledge(work):
    page = signed_in("340100-admin").get("/").content.decode()
    shown = panels(page)
    assert shown["reporting.reports_due"] == 1  # last month's report is not sent
    assert shown["reporting.directives"] == 0
    assert shown["reporting.subordinate_reports"] == 0
    # the province has no superior: no report is due there
    assert "reporting.reports_due" not in panels(signed_in("340000-admin", HOSTS["340000"]).get("/").content.decode())


def test_a_supervisor_sees_warnings(work):
    assert "reporting.warnings" in panels(signed_in("340100-supervisor").get("/").content.decode())


def test_oversight_sees_no_to_do_and_no_write_links(work):
    page = signed_in("340000-admin").get("/").content.decode()
    assert 'data-testid="oversight"' in page
    assert panels(page) == {}
    assert 'href="/reception/tasks/new/"' not in page and 'href="/reception/review/"' not in page


@pytest.mark.parametrize("role", ["admin", "drafter", "reviewer", "handler", "finance", "supervisor", "counterpart"])
def test_every_link_on_the_workplace_opens(work, role):
    client = signed_in(f"340100-{role}")
    page = client.get("/").content.decode()
    links = {link for link in re.findall(r'href="(/[^"#]*)', page) if not link.startswith("/static/")}
    assert links
    for link in sorted(links):
        status = client.get(link).status_code
        assert status == 200, (link, status)


def test_another_jurisdictions_user_is_refused_the_workplace(work):
    assert signed_in("340200-admin").get("/").status_code == 403
