"""The permission layer itself: roles here, read-only oversight from ancestors, nothing else."""

from __future__ import annotations

import pytest

from tenants.models import ALL_ROLES, Role
from tenants.permissions import access_for
from tests.conftest import count_queries, user

pytestmark = pytest.mark.django_db


def test_member_roles_are_the_roles_held_here(tree):
    access = access_for(user("340100-drafter"), tree["340100"])
    assert access.roles == {"drafter"}
    assert not access.oversight
    assert access.can_write({Role.DRAFTER})
    assert not access.can_write({Role.REVIEWER})


@pytest.mark.parametrize("username", ["340000-admin", "340000-supervisor", "340100-admin", "340100-supervisor"])
def test_ancestor_overseers_read_but_never_write(tree, username):
    access = access_for(user(username), tree["340123"])
    assert access.oversight
    assert access.can_read(ALL_ROLES)
    assert not access.can_write(ALL_ROLES)


@pytest.mark.parametrize("username", ["340200-admin", "340123-admin", "340000-reviewer", "340000-handler"])
def test_others_get_nothing(tree, username):
    access = access_for(user(username), tree["340100"])
    assert not access.can_read(ALL_ROLES)
    assert not access.can_write(ALL_ROLES)


def test_access_is_one_query(tree):
    u = user("340000-admin")
    with count_queries() as statements:
        access_for(u, tree["340123"])
    assert len(statements) == 1, statements


def test_inactive_user_has_no_access(tree):
    u = user("340100-admin")
    u.is_active = False
    assert not access_for(u, tree["340100"]).can_read(ALL_ROLES)
