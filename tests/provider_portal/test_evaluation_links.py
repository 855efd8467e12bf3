"""Evaluation links are for the parties: overseers get 403, staff see previews and may resend
(audited) but never rate, a link expires, and a rating records who filed it."""

from __future__ import annotations

import re
import time
from typing import Any
from unittest import mock

import pytest
from django.core import signing
from django.test import Client, override_settings

from core.models import AuditEntry, Notification
from reception.models import Evaluation, Task
from tests.conftest import HOSTS, api, error_codes, in_tenant, refused, refused_page, unchanged, user
from tests.provider_portal.conftest import party_link, staff_api

pytestmark = pytest.mark.django_db

LINKS = "/api/v1/tasks/{}/evaluation-links/"
RESEND = "/api/v1/tasks/{}/evaluation-links/resend/"


@pytest.fixture
def completed(task: Any) -> Any:
    """The task completed, with a contact who has an e-mail and a counterpart user of its unit."""
    counterpart = user("340100-counterpart")
    counterpart.email = "cp@hefei.gov.cn"
    counterpart.save(update_fields=["email"])
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status="completed", counterpart_unit="对口单位")
        task.refresh_from_db()
        letter = task.letter
        letter.contact_name, letter.contact_email = "刘联络", "liaison@fgw.ah.gov.cn"
        letter.save(update_fields=["contact_name", "contact_email"])
    return task


def _counterpart_link(task: Any) -> str:
    return party_link(task, "counterpart", f"user:{user('340100-counterpart').pk}")


def _evaluations(task: Any) -> list[tuple[str, int]]:
    with in_tenant("340100"):
        return sorted(Evaluation.objects.filter(task_id=task.pk).values_list("party", "score"))


def test_overseers_and_outsiders_get_403_staff_get_previews(task: Any) -> None:
    url = LINKS.format(task.pk)
    for username in ("340000-admin", "340000-supervisor", "340200-admin", "340100-counterpart"):
        assert api("340100", username).get(url).status_code == 403, username
    for role in ("admin", "drafter", "reviewer", "handler", "finance", "supervisor"):
        links = staff_api("340100", role).get(url).json()
        assert set(links) == {"visiting_unit", "counterpart"}, role


def test_a_staff_preview_shows_the_form_and_takes_no_rating(task: Any) -> None:
    links = staff_api("340100", "handler").get(LINKS.format(task.pk)).json()
    path = links["visiting_unit"].split("hefei.localhost", 1)[1]
    browser = Client(HTTP_HOST="hefei.localhost")
    page = browser.get(path).content.decode()
    assert 'data-testid="evaluation-preview"' in page and 'data-testid="evaluation-submit"' not in page
    party_page = browser.get(party_link(task)).content.decode()  # the party's own link can be submitted
    assert 'data-testid="evaluation-preview"' not in party_page and 'data-testid="evaluation-submit"' in party_page
    before = AuditEntry.objects.filter(chain="340100").count()
    json_refused = api("340100").post(path, {"score": 1}, format="json")
    refused(json_refused, 403, "preview_only")
    form_refused = browser.post(path, {"score": "1"})
    refused_page(form_refused, 403, "preview_only")
    # a signed-in staff member is refused the same way
    with unchanged():
        refused(api("340100", "340100-handler").post(path, {"score": 1}, format="json"), 403, "preview_only")
    assert _evaluations(task) == []
    assert AuditEntry.objects.filter(chain="340100").count() == before


def _issued_days_ago(days: int) -> Any:
    past = int(time.time()) - days * 86400
    return mock.patch.object(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(past))


def test_a_link_expires(task: Any) -> None:
    with _issued_days_ago(31):
        path = party_link(task)
    expired = Client(HTTP_HOST="hefei.localhost").get(path)
    assert expired.status_code == 410 and 'data-testid="evaluation-expired"' in expired.content.decode()
    refusal = api("340100").post(path, {"score": 5}, format="json")
    refused(refusal, 410, "link_expired")
    assert _evaluations(task) == []
    with override_settings(RECEPTION_EVALUATION_LINK_DAYS=40):
        assert api("340100").post(path, {"score": 5}, format="json").status_code == 201
    with _issued_days_ago(29):
        fresh = party_link(task, "counterpart", f"user:{user('340100-counterpart').pk}")
    assert api("340100").post(fresh, {"score": 4}, format="json").status_code == 201
    assert _evaluations(task) == [("counterpart", 4), ("visiting_unit", 5)]


def test_a_rating_records_who_filed_it(completed: Any) -> None:
    assert api("340100").post(party_link(completed), {"score": 5}, format="json").status_code == 201
    assert api("340100").post(_counterpart_link(completed), {"score": 3}, format="json").status_code == 201
    counterpart = user("340100-counterpart")
    with in_tenant("340100"):
        rows = {e.party: e for e in Evaluation.objects.filter(task_id=completed.pk)}
    assert rows["visiting_unit"].filed_by_user is None
    assert rows["visiting_unit"].filed_by == "刘联络 (liaison@fgw.ah.gov.cn)"
    assert rows["counterpart"].filed_by_user == counterpart
    assert rows["counterpart"].filed_by == f"{counterpart.label} (340100-counterpart)"
    entry = AuditEntry.objects.filter(chain="340100", action="reception.task.evaluated").order_by("-sequence").first()
    assert entry.actor == counterpart and entry.after["party"] == "counterpart"
    listed = staff_api("340100", "drafter").get(f"/api/v1/tasks/{completed.pk}/evaluations/").json()
    assert {e["party"]: e["filed_by"] for e in listed["evaluations"]}[
        "visiting_unit"
    ] == "刘联络 (liaison@fgw.ah.gov.cn)"


def test_a_deactivated_recipients_link_is_refused(completed: Any) -> None:
    path = _counterpart_link(completed)
    counterpart = user("340100-counterpart")
    counterpart.is_active = False
    counterpart.save(update_fields=["is_active"])
    refusal = api("340100").post(path, {"score": 3}, format="json")
    refused(refusal, 403, "link_revoked")
    assert _evaluations(completed) == []


def _sent_links(task: Any) -> dict[str, str]:
    rows = Notification.objects.filter(task_id=task.pk, event="reception.task.evaluation_link_sent", channel="email")
    return {row.address: re.search(r"/evaluate/[^/\s]+/", row.body).group(0) for row in rows}


def test_staff_resend_fresh_links_to_the_parties_audited(completed: Any) -> None:
    response = staff_api("340100", "handler").post(RESEND.format(completed.pk), {}, format="json")
    assert response.status_code == 200 and response.json() == {"queued": 2}
    links = _sent_links(completed)
    assert set(links) == {"liaison@fgw.ah.gov.cn", "cp@hefei.gov.cn"}
    entry = AuditEntry.objects.get(chain="340100", action="reception.task.evaluation_links_resent")
    assert entry.actor == user("340100-handler")
    assert entry.after == {"parties": ["visiting_unit", "counterpart"], "messages": 2}
    # the links the parties received work, each for its party
    assert api("340100").post(links["liaison@fgw.ah.gov.cn"], {"score": 4}, format="json").status_code == 201
    # a second resend goes only to the party that has not rated
    again = staff_api("340100", "drafter").post(RESEND.format(completed.pk), {}, format="json")
    assert again.json() == {"queued": 1}
    assert api("340100").post(links["cp@hefei.gov.cn"], {"score": 2}, format="json").status_code == 201
    done = staff_api("340100", "admin").post(RESEND.format(completed.pk), {}, format="json")
    refused(done, 409, "already_evaluated")


@pytest.mark.parametrize(
    "username,status",
    [
        ("340100-reviewer", 403),
        ("340100-finance", 403),
        ("340100-supervisor", 403),
        ("340100-counterpart", 403),
        ("340000-admin", 403),
        ("340200-admin", 403),
    ],
)
def test_resend_is_refused_to_others_and_changes_nothing(completed: Any, username: str, status: int) -> None:
    response = api("340100", username).post(RESEND.format(completed.pk), {}, format="json")
    assert response.status_code == status
    assert _sent_links(completed) == {}
    assert not AuditEntry.objects.filter(action="reception.task.evaluation_links_resent").exists()


def test_resend_refuses_bad_input_and_a_task_not_completed(task: Any, completed: Any) -> None:
    bad = staff_api("340100", "handler").post(RESEND.format(completed.pk), {"party": "everyone"}, format="json")
    assert bad.status_code == 400 and ("party", "invalid_choice") in error_codes(bad)
    with in_tenant("340100"):
        Task.objects.filter(pk=task.pk).update(status="in_progress")
    early = staff_api("340100", "handler").post(RESEND.format(task.pk), {}, format="json")
    refused(early, 409, "not_evaluable")
    assert _sent_links(task) == {}


def test_resend_from_the_task_page(completed: Any) -> None:
    page = Client(HTTP_HOST=HOSTS["340100"])
    page.force_login(user("340100-handler"))
    detail = page.get(f"/reception/tasks/{completed.pk}/").content.decode()
    assert 'data-testid="evaluation-links-resend"' in detail
    response = page.post(f"/reception/tasks/{completed.pk}/evaluation-links/resend/")
    assert response.status_code == 303
    assert set(_sent_links(completed)) == {"liaison@fgw.ah.gov.cn", "cp@hefei.gov.cn"}
    reviewer = Client(HTTP_HOST=HOSTS["340100"])
    reviewer.force_login(user("340100-reviewer"))
    assert (
        'data-testid="evaluation-links-resend"'
        not in reviewer.get(f"/reception/tasks/{completed.pk}/").content.decode()
    )
    refused_page(reviewer.post(f"/reception/tasks/{completed.pk}/evaluation-links/resend/"), 403, "forbidden")
