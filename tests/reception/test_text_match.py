"""Banned words matched as an auditor reads the text: whatever spacing, width or script it is typed in."""

from __future__ import annotations

import pytest

from reception.standards import DEFAULT_BANNED_ACTIVITY_WORDS, DEFAULT_BANNED_MENU_WORDS
from reception.text_match import banned_words_in, normalise


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("茅 台", "茅台"),
        ("茅\u3000台", "茅台"),  # ideographic space
        ("茅\u200b台", "茅台"),  # zero-width space
        ("茅·台", "茅台"),
        ("茅-台-酒", "茅台酒"),
        ("茅臺", "茅台"),
        ("五糧液", "五粮液"),
        ("香菸", "香烟"),
        ("魚翅", "鱼翅"),
        ("ＫＴＶ", "ktv"),
        ("Ｘ Ｏ", "xo"),
        ("", ""),
    ],
)
def test_normalise(typed: str, plain: str) -> None:
    assert normalise(typed) == plain


@pytest.mark.parametrize(
    "line",
    [
        "茅台酒2瓶",
        "茅　台　2瓶",
        "飛天茅臺",
        "五 粮 液",
        "青岛啤酒",
        "啤\u3000酒一箱",
        "紅酒",
        "干红葡萄酒",
        "黄酒",
        "洋酒（轩尼诗）",
        "威士忌",
        "香菸两条",
        "软中华",
        "雪茄",
        "鱼翅羹",
        "燕窩",
        "清蒸穿山甲",
        "白酒",
        "烟酒",
        "酒水费",
    ],
)
def test_every_kind_of_alcohol_cigarettes_and_luxury_dishes_is_caught(line: str) -> None:
    assert banned_words_in(line, DEFAULT_BANNED_MENU_WORDS), line


@pytest.mark.parametrize(
    "line",
    ["家常菜四菜一汤", "米饭、青菜、豆腐", "小龙虾", "工作餐", "酒店早餐", "茶水", "矿泉水", "水果拼盘", "中餐"],
)
def test_home_style_food_is_not_caught(line: str) -> None:
    assert banned_words_in(line, DEFAULT_BANNED_MENU_WORDS) == []


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("游览黄山风景区", ["游览", "景区"]),
        ("黄山风景区管委会调研座谈", []),
        ("市文化和旅游局座谈", []),
        ("景点管理处座谈", []),
        ("参观游览", ["游览"]),
        ("卡拉 OK", ["卡拉OK"]),
        ("ｋｔｖ", ["KTV"]),
        ("赠送土特产", ["土特产"]),
    ],
)
def test_activity_words_do_not_catch_names_of_places_and_offices(line: str, found: list[str]) -> None:
    assert banned_words_in(line, DEFAULT_BANNED_ACTIVITY_WORDS) == found


def test_words_are_reported_as_the_standard_spells_them_in_its_order() -> None:
    assert banned_words_in("燕窩、魚翅", ["鱼翅", "燕窝", "熊掌"]) == ["鱼翅", "燕窝"]
    assert banned_words_in("任何内容", ["", "  "]) == []  # empty words never match
