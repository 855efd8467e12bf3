"""Services: events after commit, schema and role guards, standards versions, provisioning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import Forbidden, InvalidInput
from core.models import AuditEntry
from reception.models import Standard, Task
from reception.selectors import standard_in_force, task_detail
from reception.selectors.rules import task_checks as rules_checks
from reception.services.standards import standards_ensure, standards_publish
from reception.services.transitions import task_approve, task_assign, task_return, task_submit
from tenants.services import jurisdiction_create
from tests.conftest import in_tenant, user
from tests.reception.factories import GuestFactory, PlanItemFactory, StaffFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def addresses(tree):
    """Give the 340100 users e-mail addresses (the fixture users have none)."""
    from core.models import User

    for u in User.objects.filter(username__startswith="340100-"):
        u.email = f"{u.username}@hefei.example.gov.cn"
        u.save(update_fields=["email"])


def test_a_transition_tells_its_audience_after_commit(draft, tree, addresses, django_capture_on_commit_callbacks):
    from django.core import mail

    from core.models import Notification

    with in_tenant("340100"), django_capture_on_commit_callbacks(execute=True):
        task_submit(actor=user("340100-drafter"), jurisdiction=tree["340100"], task_id=draft.pk)
        queued = Notification.objects.filter(event="reception.task.submitted")
        assert [(n.address, n.status) for n in queued] == [("340100-reviewer@hefei.example.gov.cn", "queued")]
        assert mail.outbox == []  # nothing leaves before the commit
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["340100-reviewer@hefei.example.gov.cn"], f"接待任务“{draft.title}”待审核")
    ]
    assert f"http://hefei.localhost:8000/reception/tasks/{draft.pk}/" in mail.outbox[0].body
    mail.outbox.clear()
    with in_tenant("340100"), django_capture_on_commit_callbacks(execute=True):
        task_return(actor=user("340100-reviewer"), jurisdiction=tree["340100"], task_id=draft.pk, comment="补充名单")
    # the drafters, and the task's creator (also a drafter here): one message each
    assert [m.to for m in mail.outbox] == [["340100-drafter@hefei.example.gov.cn"]]
    assert "意见：补充名单" in mail.outbox[0].body


def test_assign_tells_the_handler_and_not_the_actor(draft, tree, addresses, django_capture_on_commit_callbacks):
    from django.core import mail

    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status="approved")
        with django_capture_on_commit_callbacks(execute=True):
            task_assign(
                actor=user("340100-admin"), jurisdiction=tree["340100"], task_id=draft.pk, handler="340100-handler"
            )
    assert [m.to for m in mail.outbox] == [["340100-handler@hefei.example.gov.cn"]]


def test_a_refused_transition_tells_nobody(draft, tree, addresses, django_capture_on_commit_callbacks):
    from core.models import Notification

    with in_tenant("340100"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        Task.objects.filter(pk=draft.pk).update(status="submitted")
        with pytest.raises(InvalidInput) as refused:
            task_return(actor=user("340100-reviewer"), jurisdiction=tree["340100"], task_id=draft.pk, comment=" ")
        assert (refused.value.field, refused.value.code) == ("comment", "required")
    assert callbacks == []
    assert not Notification.objects.filter(jurisdiction_code="340100").exists()


def test_services_refuse_to_run_in_another_schema(draft, tree):
    with in_tenant("340200"), pytest.raises(RuntimeError):
        task_approve(actor=user("340100-reviewer"), jurisdiction=tree["340100"], task_id=draft.pk)


def test_services_check_roles_themselves(draft, tree):
    with in_tenant("340100"):
        Task.objects.filter(pk=draft.pk).update(status="submitted")
        for username in ("340000-supervisor", "340100-drafter", "340200-reviewer"):
            with pytest.raises(Forbidden):
                task_approve(actor=user(username), jurisdiction=tree["340100"], task_id=draft.pk)
        assert Task.objects.get(pk=draft.pk).status == "submitted"


# --- Standards ------------------------------------------------------------------------------


def _lunch_ceiling(standard: Standard) -> Decimal:
    return standard.meal_ceilings.get(level="bureau", meal_type="lunch").amount


def task_checks(task):
    from tenants.models import Jurisdiction

    return rules_checks(task, jurisdiction=Jurisdiction.objects.get(code="340100"))


def test_every_jurisdiction_starts_with_the_defaults(tree):
    with in_tenant("340000"):
        standard = standard_in_force(timezone.localdate())
        assert (standard.version, standard.note, _lunch_ceiling(standard)) == (1, "规定默认标准", Decimal("90.00"))
        assert standard.meal_ceilings.count() == 15
        assert standard.suite_grades == ["provincial_ministerial"]
        assert "鱼翅" in standard.banned_menu_words


def test_a_task_keeps_the_standard_it_was_checked_against(draft, tree):
    admin, today = user("340100-admin"), timezone.localdate()
    with in_tenant("340100"):
        submitted = TaskFactory(start_date=today + dt.timedelta(days=10), end_date=today + dt.timedelta(days=11))
        GuestFactory.create_batch(2, task=submitted, grade="bureau")
        PlanItemFactory(task=submitted, unit_price="70.00", guests_count=2, accompanying_count=0, quantity=2)
        task_submit(actor=user("340100-drafter"), jurisdiction=tree["340100"], task_id=submitted.pk)
        other = TaskFactory(start_date=submitted.start_date, end_date=submitted.end_date)
        GuestFactory.create_batch(2, task=other, grade="bureau")
        PlanItemFactory(task=other, unit_price="70.00", guests_count=2, accompanying_count=0, quantity=2)
        # When the admin lowers the bureau lunch ceiling to 60 from today
        v2 = standards_publish(
            actor=admin,
            jurisdiction=tree["340100"],
            effective_from=today,
            changes={"meal_ceilings": {("bureau", "lunch"): Decimal("60.00")}},
        )
        assert (v2.version, _lunch_ceiling(v2), v2.meal_ceilings.count()) == (2, Decimal("60.00"), 15)
        # Then the submitted task is still checked against version 1, a draft against version 2
        kept = task_detail(submitted.pk)
        assert (kept.standard.version, task_checks(kept).errors) == (1, [])
        assert [f.code for f in task_checks(task_detail(other.pk)).errors] == ["meal_standard"]


def test_a_future_version_applies_from_its_date(tree):
    today = timezone.localdate()
    with in_tenant("340100"):
        standards_publish(
            actor=user("340100-admin"),
            jurisdiction=tree["340100"],
            effective_from=today + dt.timedelta(days=30),
            changes={"accompany_small_group_limit": 2},
        )
        before = TaskFactory(start_date=today + dt.timedelta(days=29), end_date=today + dt.timedelta(days=29))
        after = TaskFactory(start_date=today + dt.timedelta(days=30), end_date=today + dt.timedelta(days=30))
        for task in (before, after):
            GuestFactory.create_batch(5, task=task, grade="bureau")
            StaffFactory.create_batch(3, task=task)
            PlanItemFactory(task=task, guests_count=5, accompanying_count=3, quantity=8)
        assert task_checks(task_detail(before.pk)).errors == []
        assert [f.code for f in task_checks(task_detail(after.pk)).errors] == ["accompany_limit"]
        # A reception recorded afterwards is checked by the oldest version
        past = TaskFactory(start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 1, 1))
        assert task_detail(past.pk) and standard_in_force(past.start_date).version == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accompany_ratio": 0}, "accompany_ratio"),
        ({"meal_warning_percent": 101}, "meal_warning_percent"),
        ({"suite_grades": ["king"]}, "suite_grades"),
        ({"banned_menu_words": [""]}, "banned_menu_words"),
        ({"banned_menu_words": ["x" * 51]}, "banned_menu_words"),
        ({"meal_ceilings": {("bureau", "lunch"): Decimal("-1")}}, "meal_ceilings"),
        ({"meal_ceilings": {("bureau", "brunch"): Decimal("1")}}, "meal_ceilings"),
        ({"working_meals_per_reception": True}, "working_meals_per_reception"),
    ],
)
def test_publish_refuses_bad_numbers(tree, changes, field):
    with in_tenant("340100"):
        with pytest.raises(InvalidInput) as excinfo:
            standards_publish(
                actor=user("340100-admin"),
                jurisdiction=tree["340100"],
                effective_from=timezone.localdate(),
                changes=changes,
            )
        assert excinfo.value.field == field
        assert Standard.objects.count() == 1


def test_publish_refuses_a_past_date_and_other_roles(tree):
    with in_tenant("340100"):
        with pytest.raises(InvalidInput) as refused:
            standards_publish(
                actor=user("340100-admin"),
                jurisdiction=tree["340100"],
                effective_from=timezone.localdate() - dt.timedelta(days=1),
                changes={},
            )
        assert refused.value.code == "effective_in_past"
        for username in ("340100-drafter", "340000-admin"):
            with pytest.raises(Forbidden):
                standards_publish(
                    actor=user(username), jurisdiction=tree["340100"], effective_from=timezone.localdate(), changes={}
                )
        assert Standard.objects.count() == 1


def test_standards_ensure_fills_a_jurisdiction_created_before_this_app(tree):
    with in_tenant("340100"):
        Standard.objects.all().delete()
        standards_ensure(jurisdiction=tree["340100"])
        standards_ensure(jurisdiction=tree["340100"])
        assert list(Standard.objects.values_list("version", "note")) == [(1, "规定默认标准")]


def test_a_new_jurisdiction_copies_its_parents_standards_in_force(tree):
    with in_tenant("340100"):
        standards_publish(
            actor=user("340100-admin"),
            jurisdiction=tree["340100"],
            effective_from=timezone.localdate(),
            changes={"meal_ceilings": {("bureau", "lunch"): Decimal("75.00")}, "banned_menu_words": ["白酒"]},
        )
    _county, created = jurisdiction_create(
        actor=None, code="340124", name="庐江县", level="county", parent_code="340100"
    )
    assert created
    with in_tenant("340124"):
        standard = Standard.objects.get()
        assert (standard.version, standard.note) == (1, "沿用上级（340100）第 2 版")
        assert (_lunch_ceiling(standard), standard.banned_menu_words) == (Decimal("75.00"), ["白酒"])
    entry = AuditEntry.objects.filter(chain="340124", action="reception.standard.published").get()
    assert entry.after["note"] == "沿用上级（340100）第 2 版"


def test_a_new_jurisdiction_under_a_parent_without_standards_gets_the_defaults(tree):
    with in_tenant("340200"):
        Standard.objects.all().delete()
    jurisdiction_create(actor=None, code="340221", name="芜湖县", level="county", parent_code="340200")
    with in_tenant("340221"):
        assert list(Standard.objects.values_list("version", "note")) == [(1, "规定默认标准")]
