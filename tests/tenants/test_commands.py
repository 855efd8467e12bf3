"""Operator commands: idempotent, clear errors, never a traceback."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from core.models import User
from provider_portal.models import Provider, ProviderStaff
from tenants.models import Division, Jurisdiction, Membership

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_jurisdiction_is_idempotent(tree):
    first = run(
        "create_jurisdiction", "--code", "340181", "--name", "巢湖市", "--level", "county", "--parent", "340100"
    )
    assert first.strip() == "created: 340181 巢湖市 http://chaohu.localhost/"
    again = run(
        "create_jurisdiction", "--code", "340181", "--name", "巢湖市", "--level", "county", "--parent", "340100"
    )
    assert again.strip() == "exists: 340181 巢湖市 http://chaohu.localhost/"
    j = Jurisdiction.objects.get(code="340181")
    assert (j.path, j.schema_name, j.slug) == ("340000.340100.340181", "j340181", "chaohu")


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--code", "34018", "--name", "x", "--level", "county", "--parent", "340100"],
            "code: 辖区代码必须是六位数字。",
        ),
        (["--code", "340281", "--name", "x", "--level", "county", "--parent", "340100"], "code: 县区代码的前四位"),
        (
            ["--code", "350100", "--name", "x", "--level", "city", "--parent", "340000"],
            "code: 代码与上级不属于同一省份",
        ),
        (
            ["--code", "340702", "--name", "x", "--level", "county", "--parent", "340700"],
            "parent_code: 上级辖区 340700 不存在",
        ),
        (
            ["--code", "340700", "--name", "x", "--level", "county", "--parent", "340000"],
            "code: 县区级代码不能以 00 结尾",
        ),
        (["--code", "340700", "--name", "x", "--level", "city"], "parent_code: 必须指定上级辖区"),
        (["--code", "340700", "--name", "x\x00", "--level", "city", "--parent", "340000"], "name:"),
        (["--code", "340700", "--name", "x", "--level", "city", "--parent", "340000", "--slug", "Bad_Slug"], "slug:"),
        (
            ["--code", "340700", "--name", "x", "--level", "city", "--parent", "340000", "--slug", "hefei"],
            "slug: 子域名已被使用",
        ),
    ],
)
def test_create_jurisdiction_refuses_bad_input_and_changes_nothing(tree, args, message):
    before = Jurisdiction.objects.count()
    with pytest.raises(CommandError) as excinfo:
        run("create_jurisdiction", *args)
    assert str(excinfo.value).startswith(message)
    assert Jurisdiction.objects.count() == before


def test_slug_collision_takes_the_parent_prefix(tree):
    run("create_jurisdiction", "--code", "340111", "--name", "芜湖区", "--level", "county", "--parent", "340100")
    # "芜湖" is taken by 340200 芜湖市, so the county gets its city's prefix
    assert Jurisdiction.objects.get(code="340111").slug == "hefei-wuhu"


def test_import_divisions_loads_the_official_anhui_list(tree):
    output = run("import_divisions", "--province", "340000")
    assert "divisions loaded: 121" in output
    assert Division.objects.filter(province_code="340000", level="city").count() == 16
    assert Division.objects.filter(province_code="340000", level="county").count() == 104
    assert Division.objects.get(code="340123").name == "肥西县"
    assert Division.objects.get(code="340123").parent_code == "340100"
    assert Division.objects.get(code="340210").name == "湾沚区"  # after the 2020 changes in 芜湖
    assert not Division.objects.filter(code="340208").exists()  # 三山区, abolished
    assert run("import_divisions", "--province", "340000").count("121") == 1  # idempotent
    assert Division.objects.filter(province_code="340000").count() == 121


def test_import_divisions_accepts_other_provinces(tree):
    run("import_divisions", "--province", "420000")
    # 仙桃市 is a county-level city directly under Hubei
    assert Division.objects.get(code="429004").parent_code == "420000"
    run("import_divisions", "--province", "110000")
    assert Division.objects.get(code="110101").parent_code == "110000"


def test_import_divisions_unknown_province(tree):
    with pytest.raises(CommandError, match="province: 未知的省级代码 990000"):
        run("import_divisions", "--province", "990000")


def test_import_divisions_creates_tenants_within_a_subtree(tree):
    output = run("import_divisions", "--province", "340000", "--create-tenants", "--within", "340100")
    # 合肥 has 9 county-level divisions; 340121 and 340123 exist already, and 340100 itself
    assert "jurisdictions created: 7, already present: 3" in output
    assert Jurisdiction.objects.filter(parent__code="340100").count() == 9


def test_add_member_is_idempotent_and_checks_input(tree):
    out = run("add_member", "newbie", "--password", "Newbie-pass-2026", "--jurisdiction", "340100", "--role", "drafter")
    assert out.strip() == "added: newbie as drafter in 340100"
    again = run(
        "add_member", "newbie", "--password", "Newbie-pass-2026", "--jurisdiction", "340100", "--role", "drafter"
    )
    assert again.strip() == "exists: newbie as drafter in 340100"
    assert Membership.objects.filter(user__username="newbie").count() == 1
    with pytest.raises(CommandError, match="jurisdiction: unknown code 349999"):
        run("add_member", "x", "--password", "Newbie-pass-2026", "--jurisdiction", "349999", "--role", "drafter")
    with pytest.raises(CommandError, match="password:"):
        run("add_member", "weak", "--password", "123", "--jurisdiction", "340100", "--role", "drafter")
    assert not User.objects.filter(username__in=["x", "weak"]).exists()


def test_add_provider_is_idempotent(tree):
    args = [
        "add_provider",
        "--name",
        "合肥宾馆",
        "--kind",
        "hotel",
        "--serves",
        "340100",
        "--serves",
        "340123",
        "--username",
        "hf-hotel",
        "--password",
        "Hotel-pass-2026",
    ]
    assert run(*args).startswith("created: 合肥宾馆 (hotel) serving 340100, 340123")
    assert run(*args).startswith("exists: 合肥宾馆")
    provider = Provider.objects.get(name="合肥宾馆")
    assert sorted(provider.service_areas.values_list("jurisdiction__code", flat=True)) == ["340100", "340123"]
    assert ProviderStaff.objects.get(user__username="hf-hotel").provider == provider


def test_add_provider_refuses_a_member_as_staff(tree):
    with pytest.raises(CommandError, match="username: 辖区成员不能同时是服务单位人员"):
        run(
            "add_provider",
            "--name",
            "X宾馆",
            "--kind",
            "hotel",
            "--serves",
            "340100",
            "--username",
            "340100-drafter",
            "--password",
            "Hotel-pass-2026",
        )
    assert not Provider.objects.filter(name="X宾馆").exists()


def test_seed_demo_members_and_providers(tree):
    from tenants.demo import seed_members

    out = io.StringIO()
    seed_members(password="Demo-pass-2026", out=out)
    seed_members(password="Demo-pass-2026", out=out)
    assert Membership.objects.filter(user__username="340123-counterpart", role="counterpart").count() == 1
    assert Membership.objects.get(user__username="340100-counterpart").unit_name == "对口单位"
