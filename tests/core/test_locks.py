"""One caller at a time (core.db.locks.exclusive_run): the spare-pool refill and the fast deploy."""

from __future__ import annotations

import pytest

from core.db.locks import exclusive_run
from tenants.fast_migrate import deploy_lock

pytestmark = pytest.mark.django_db


def test_a_second_caller_is_refused_while_the_first_holds_the_key() -> None:
    with exclusive_run(42) as first:
        assert first
        with exclusive_run(42) as second, exclusive_run(43) as other_key:
            assert not second
            assert other_key
    with exclusive_run(42) as again:
        assert again  # released with its side connection's transaction


def test_one_fast_deploy_at_a_time() -> None:
    with deploy_lock() as first, deploy_lock() as second:
        assert first and not second
