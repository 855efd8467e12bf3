"""The spare-schema pool: made by migrate, claimed by renaming, never stale."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_exists

from tenants.models import Application, SpareSchema
from tenants.onboarding import application_provision
from tenants.pool import (
    code_fingerprint,
    pool_size,
    spare_claim,
    spare_count,
    spare_create,
    spare_pool_invalidate,
    spare_pool_refill,
)
from tenants.provisioning import TEMPLATE_SCHEMA, schema_catalog
from tenants.tasks import spare_pool_refill_task
from tests.tenants.onboarding_helpers import applied, approve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def test_migrate_left_a_full_pool_of_current_spares(tree):
    assert pool_size() >= 1
    assert spare_count() == pool_size()
    for spare in SpareSchema.objects.all():
        assert spare.fingerprint == code_fingerprint()
        assert schema_exists(spare.name)


def test_approval_renames_a_spare_and_the_tenant_equals_the_template(tree):
    before = set(SpareSchema.objects.values_list("name", flat=True))
    application_id, _token = applied()
    assert approve(application_id).status_code == 202
    application = application_provision(application_id)
    assert application.status == "active"
    schema_step = next(step for step in Application.objects.get(pk=application_id).steps if step["name"] == "schema")
    assert schema_step["spare"] is True
    after = set(SpareSchema.objects.values_list("name", flat=True))
    assert len(before - after) == 1
    claimed = (before - after).pop()
    assert not schema_exists(claimed)
    # Same tables, columns, sequences, indexes and constraints (names included) as the template
    assert schema_catalog("j340124") == schema_catalog(TEMPLATE_SCHEMA)


def test_without_spares_approval_clones(tree):
    SpareSchema.objects.update(fingerprint="0" * 64)  # every spare stale
    application_id, _token = applied()
    approve(application_id)
    application = application_provision(application_id)
    assert application.status == "active"
    schema_step = next(step for step in application.steps if step["name"] == "schema")
    assert schema_step["spare"] is False


def test_stale_spares_are_never_claimed_and_are_dropped(tree):
    SpareSchema.objects.update(fingerprint="0" * 64)
    names = list(SpareSchema.objects.values_list("name", flat=True))
    with transaction.atomic():
        assert spare_claim("j340199") is False
    assert spare_pool_invalidate() == len(names)
    assert not SpareSchema.objects.exists()
    assert not any(schema_exists(name) for name in names)


def test_a_spare_whose_migrations_differ_is_dropped_at_claim(tree):
    spare = SpareSchema.objects.order_by("created_at", "id").first()
    assert spare is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{spare.name}".django_migrations '
            f'WHERE id = (SELECT min(id) FROM "{spare.name}".django_migrations)'
        )
    with transaction.atomic():
        claimed = spare_claim("j340199")
    # the changed spare is gone; another (current) one may have been used
    assert not SpareSchema.objects.filter(pk=spare.pk).exists()
    assert not schema_exists(spare.name)
    if claimed:
        assert schema_exists("j340199")


def test_refill_tops_up_to_the_size_and_drops_stale_ones(tree, settings):
    settings.TENANT_SPARE_POOL_SIZE = 3
    SpareSchema.objects.filter(pk=SpareSchema.objects.first().pk).update(fingerprint="stale")
    made = spare_pool_refill()
    assert made == 2  # one to replace the stale spare, one more to reach 3
    assert spare_count() == 3
    assert SpareSchema.objects.count() == 3
    assert spare_pool_refill_task.delay().get() == {"made": 0, "ready": 3}


def test_orphan_spare_schemas_are_dropped(tree):
    spare = spare_create()
    SpareSchema.objects.filter(pk=spare.pk).delete()  # the row lost, the schema left
    assert schema_exists(spare.name)
    assert spare_pool_invalidate() >= 1
    assert not schema_exists(spare.name)


def test_migrate_remakes_spares_cloned_from_another_template(tree):
    stale = SpareSchema.objects.first()
    SpareSchema.objects.filter(pk=stale.pk).update(fingerprint="stale")
    out = io.StringIO()
    call_command("migrate_schemas", interactive=False, verbosity=1, stdout=out)
    assert "spare schemas: 1 stale dropped, 1 cloned" in out.getvalue()
    assert not schema_exists(stale.name)
    assert spare_count() == pool_size()
