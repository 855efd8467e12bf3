"""The flow's messages to the parties outside: arrangements on approval, evaluation links on
completion; a task's messages and the outbox, each readable only in its own jurisdiction."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from core.models import AuditEntry, Notification
from core.notifications.sms.log import sms_outbox
from reception.models import Letter
from reception.services.orders import task_complete
from reception.services.transitions import task_approve, task_submit
from tenants.models import Membership
from tests.conftest import api, error_codes, in_tenant, refused, refused_page, unchanged, user
from tests.reception.factories import GuestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_sms():
    sms_outbox.clear()
    yield
    sms_outbox.clear()


@pytest.fixture
def parties(draft, tree):
    """The letter's contact, a counterpart user of the task's unit, a guest with a mobile."""
    with in_tenant("340100"):
        Letter.objects.filter(pk=draft.letter_id).update(
            contact_name="张联络", contact_phone="13955550001", contact_email="liaison@fgw.ah.gov.cn"
        )
        GuestFactory(task=draft, name="赵来宾", phone="13955550002")
    counterpart = user("340100-counterpart")
    counterpart.email, counterpart.phone = "cp@hefei.gov.cn", "13955550003"
    counterpart.save()
    Membership.objects.filter(user=counterpart, jurisdiction=tree["340100"]).update(unit_name=draft.counterpart_unit)
    other = user("340100-admin")  # a counterpart of another unit hears nothing: only the task's unit
    other.email = "admin@hefei.gov.cn"
    other.save()
    return draft


def _approve(task, tree, django_capture_on_commit_callbacks):
    with in_tenant("340100"), django_capture_on_commit_callbacks(execute=True):
        task_submit(actor=user("340100-drafter"), jurisdiction=tree["340100"], task_id=task.pk)
    mail.outbox.clear()
    sms_outbox.clear()
    with in_tenant("340100"), django_capture_on_commit_callbacks(execute=True):
        task_approve(actor=user("340100-reviewer"), jurisdiction=tree["340100"], task_id=task.pk)


def test_approval_sends_the_arrangements_to_the_contact_counterpart_and_guests(
    parties, tree, django_capture_on_commit_callbacks
):
    _approve(parties, tree, django_capture_on_commit_callbacks)
    by_to = {m.to[0]: m for m in mail.outbox}
    assert {"liaison@fgw.ah.gov.cn", "cp@hefei.gov.cn"} <= set(by_to)
    message = by_to["liaison@fgw.ah.gov.cn"]
    assert message.subject == f"接待安排已确定：{parties.title}"
    assert "2026-05-06" in message.body  # the dates and the lunch's time and place
    url = re.search(r"http://hefei\.localhost:8000/itinerary/[^/\s]+/", message.body).group(0)
    assert url in message.alternatives[0][0]
    itinerary = api().get(url.replace("http://hefei.localhost:8000", ""), HTTP_HOST="hefei.localhost")
    assert itinerary.status_code == 200  # the link works
    texts = {m.phone: m.text for m in sms_outbox}
    assert set(texts) == {"13955550001", "13955550002", "13955550003"}
    assert url in texts["13955550002"] and url in texts["13955550001"]
    rows = Notification.objects.filter(jurisdiction_code="340100", task_id=parties.pk, event="reception.task.approved")
    # beside the staff's notice (generic), the parties' arrangements and the guests' itinerary
    assert set(rows.values_list("template", flat=True)) == {"generic", "reception_arrangements", "reception_itinerary"}
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert "admin@hefei.gov.cn" not in by_to or by_to["admin@hefei.gov.cn"].subject != message.subject


def test_completion_sends_each_party_its_evaluation_link(parties, tree, django_capture_on_commit_callbacks):
    from reception.models import Task
    from reception.tokens import evaluation_claim

    with in_tenant("340100"):
        Task.objects.filter(pk=parties.pk).update(status="in_progress", handler=user("340100-handler"))
        with django_capture_on_commit_callbacks(execute=True):
            task_complete(actor=user("340100-handler"), jurisdiction=tree["340100"], task_id=parties.pk)
    link = re.compile(r"http://hefei\.localhost:8000/evaluate/([^/\s]+)/")

    def party_of(text: str) -> tuple[int, str, str] | None:
        claim = evaluation_claim(schema="j340100", token=link.search(text).group(1))
        return None if claim is None else (claim.task_id, claim.party, claim.recipient)

    by_to = {m.to[0]: m.body for m in mail.outbox}
    counterpart = user("340100-counterpart")
    assert party_of(by_to["liaison@fgw.ah.gov.cn"]) == (parties.pk, "visiting_unit", "contact")
    assert party_of(by_to["cp@hefei.gov.cn"]) == (parties.pk, "counterpart", f"user:{counterpart.pk}")
    texts = {m.phone: m.text for m in sms_outbox}
    assert party_of(texts["13955550001"]) == (parties.pk, "visiting_unit", "contact")
    assert "13955550002" not in texts  # guests are not a party of the evaluation
    path = link.search(by_to["liaison@fgw.ah.gov.cn"]).group(0).replace("http://hefei.localhost:8000", "")
    assert api().get(path, HTTP_HOST="hefei.localhost").status_code == 200  # the form opens


def test_task_messages_api_lists_newest_first_for_its_staff_only(parties, tree, django_capture_on_commit_callbacks):
    _approve(parties, tree, django_capture_on_commit_callbacks)
    url = f"/api/v1/tasks/{parties.pk}/messages/"
    response = api("340100", "340100-drafter").get(url)
    assert response.status_code == 200
    rows = response.json()
    assert {"channel", "to", "subject", "status", "attempts", "sent_at"} <= set(rows[0])
    assert {r["to"] for r in rows} >= {"liaison@fgw.ah.gov.cn", "13955550002"}
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert api("340100", "340100-counterpart").get(url).status_code == 403  # not staff
    assert api("340200", "340200-admin").get(url, HTTP_HOST="hefei.localhost").status_code == 403
    assert api("340000", "340000-admin").get(url, HTTP_HOST="hefei.localhost").status_code == 403  # no oversight
    # Another jurisdiction's task of the same id shows only its own (none).
    refused(api("340200", "340200-drafter").get(url), 404, "not_found")


def test_outbox_api_filters_by_status_retries_a_failed_one_and_stays_in_its_jurisdiction(
    parties, tree, django_capture_on_commit_callbacks
):
    _approve(parties, tree, django_capture_on_commit_callbacks)
    failed = Notification.objects.filter(jurisdiction_code="340100", channel="sms").first()
    Notification.objects.filter(pk=failed.pk).update(status="failed", error_code="isv.MOBILE_NUMBER_ILLEGAL")
    admin = api("340100", "340100-admin")
    listed = admin.get("/api/v1/outbox/?status=failed").json()["results"]
    assert [r["id"] for r in listed] == [failed.pk]
    assert admin.get("/api/v1/outbox/?status=nonsense").status_code == 400
    assert error_codes(admin.get("/api/v1/outbox/?status=nonsense")) == {("status", "invalid_choice")}
    assert api("340100", "340100-drafter").get("/api/v1/outbox/").status_code == 403
    assert api("340000", "340000-admin").get("/api/v1/outbox/", HTTP_HOST="hefei.localhost").status_code == 403
    # Another jurisdiction's admin sees none of it, and cannot retry it.
    assert api("340200", "340200-admin").get("/api/v1/outbox/").json()["results"] == []
    with unchanged():
        refused(api("340200", "340200-admin").post(f"/api/v1/outbox/{failed.pk}/retry/"), 404, "not_found")
    assert Notification.objects.get(pk=failed.pk).status == "failed"
    sent = Notification.objects.filter(jurisdiction_code="340100", status="sent").first()
    with unchanged():
        refused(admin.post(f"/api/v1/outbox/{sent.pk}/retry/"), 409, "invalid_transition")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/api/v1/outbox/{failed.pk}/retry/")
    assert response.status_code == 200
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert AuditEntry.objects.filter(action="tenants.outbox.retried", object_id=str(failed.pk)).count() == 1


def test_letters_take_the_contact_and_refuse_a_number_that_is_not_a_mobile(tree):
    client = api("340100", "340100-drafter")
    body = {
        "number": "皖发改函〔2026〕77号",
        "sending_unit": "安徽省发展和改革委员会",
        "purpose": "inspection_research",
        "content": "调研",
        "people_count": 3,
        "received_on": "2026-04-28",
        "contact_name": "张联络",
        "contact_phone": "+86 139 5555 0009",
        "contact_email": "liaison@fgw.ah.gov.cn",
    }
    created = client.post("/api/v1/letters/", body, format="json")
    assert created.status_code == 201
    letter = created.json()
    assert (letter["contact_phone"], letter["contact_email"]) == ("13955550009", "liaison@fgw.ah.gov.cn")
    with in_tenant("340100"):
        before = Letter.objects.count()
    bad = (("contact_phone", "0551-62345678", "invalid_phone"), ("contact_email", "nope", "invalid"))
    for field, value, code in bad:
        refused = client.post("/api/v1/letters/", {**body, "number": "x1", field: value}, format="json")
        assert refused.status_code == 400
        assert (field, code) in error_codes(refused)
    with in_tenant("340100"):
        assert Letter.objects.count() == before


def test_profile_page_sets_the_users_email_and_mobile(tree, client):
    from django.test import Client

    web = Client(HTTP_HOST="localhost")
    web.force_login(user("340100-handler"))
    page = web.get("/accounts/profile/")
    assert page.status_code == 200
    saved = web.post("/accounts/profile/", {"email": "h@hefei.gov.cn", "phone": "139 5555 0010"})
    assert saved.status_code == 303
    handler = user("340100-handler")
    assert (handler.email, handler.phone) == ("h@hefei.gov.cn", "13955550010")
    refused = web.post("/accounts/profile/", {"email": "h2@hefei.gov.cn", "phone": "12345"})
    assert refused.status_code == 400
    assert user("340100-handler").email == "h@hefei.gov.cn"
    assert AuditEntry.objects.filter(action="core.user.contact_updated", actor=handler).count() == 1


def test_an_approved_amendment_sends_the_changed_arrangements_once(parties, tree, django_capture_on_commit_callbacks):
    """The entry point issue 14's amendment approval calls: once per approval (the task's version)."""
    from reception.models import Task
    from reception.notifications import arrangements_notify

    _approve(parties, tree, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with in_tenant("340100") as hefei:
        Task.objects.filter(pk=parties.pk).update(version=parties.version + 5)  # the amendment's approval
        task = Task.objects.get(pk=parties.pk)
        with django_capture_on_commit_callbacks(execute=True):
            queued = arrangements_notify(
                jurisdiction=hefei, task=task, event="reception.task.amendment_approved", revision=1
            )
            again = arrangements_notify(
                jurisdiction=hefei, task=task, event="reception.task.amendment_approved", revision=1
            )
    assert queued == 5 and again == 0  # contact (e-mail, SMS), counterpart (e-mail, SMS), guest (SMS)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["liaison@fgw.ah.gov.cn"] == f"接待安排已调整：{parties.title}"


def test_outbox_page_is_for_this_jurisdictions_admins_and_retries_only_for_them(
    parties, tree, django_capture_on_commit_callbacks
):
    from django.test import Client

    _approve(parties, tree, django_capture_on_commit_callbacks)
    failed = Notification.objects.filter(jurisdiction_code="340100", channel="sms").first()
    Notification.objects.filter(pk=failed.pk).update(status="failed", error_code="isv.MOBILE_NUMBER_ILLEGAL")

    def page(username: str) -> Client:
        web = Client(HTTP_HOST="hefei.localhost")
        web.force_login(user(username))
        return web

    admin = page("340100-admin")
    listed = admin.get("/outbox/?status=failed")
    assert listed.status_code == 200
    assert f'data-testid="retry-{failed.pk}"' in listed.content.decode()
    for outsider in ("340100-drafter", "340000-admin", "340200-admin"):
        assert page(outsider).get("/outbox/").status_code == 403
        refused_page(page(outsider).post("/outbox/", {"message": failed.pk}), 403, "forbidden")
    assert Notification.objects.get(pk=failed.pk).status == "failed"  # refused: nothing changed
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post("/outbox/", {"message": failed.pk}).status_code == 303
    assert Notification.objects.get(pk=failed.pk).status == "sent"
    refused_page(admin.post("/outbox/", {"message": "x"}), 404, "not_found")
    # The task page shows its messages to staff, not to a counterpart user.
    task_page = f"/reception/tasks/{parties.pk}/"
    assert 'data-testid="task-messages"' in page("340100-drafter").get(task_page).content.decode()
    assert 'data-testid="task-messages"' not in page("340100-counterpart").get(task_page).content.decode()
