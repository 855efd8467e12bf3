"""Amounts in Chinese capitals (大写), as the reception list prints its total."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reception.money import amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("100", "壹佰元整"),
        ("1001", "壹仟零壹元整"),
        ("1010.10", "壹仟零壹拾元壹角整"),
        ("10010", "壹万零壹拾元整"),
        ("10203.40", "壹万零贰佰零叁元肆角整"),
        ("105000.07", "壹拾万伍仟元零柒分"),
        ("1690.50", "壹仟陆佰玖拾元伍角整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("20000000.10", "贰仟万元壹角整"),
    ],
)
def test_amount_in_words(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words
