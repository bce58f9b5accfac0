"""Masking formats: the examples of DOMAIN.md §10.3, then properties over arbitrary input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.masking import (
    MASK_CHAR,
    MaskKind,
    mask,
    mask_address,
    mask_bank_account,
    mask_email,
    mask_id_number,
    mask_landline,
    mask_mobile,
    mask_name,
)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (MaskKind.ID18, "445102199003071230", "4451**********1230"),
        (MaskKind.ID15, "445102900307123", "4451********123"),
        (MaskKind.PASSPORT, "E12345678", "E*****678"),
        (MaskKind.NAME, "张三", "张*"),
        (MaskKind.NAME, "欧阳小明", "欧***"),
        (MaskKind.MOBILE, "13856785678", "138****5678"),
        (MaskKind.LANDLINE, "0768-1234534", "0768-*****34"),
        (MaskKind.ADDRESS, "广东省潮州市湘桥区西湖街道太平路12号", "广东省潮州市湘桥区西湖街道****"),
        (MaskKind.BANK_ACCOUNT, "6222021234561234", "**** **** **** 1234"),
        (MaskKind.EMAIL, "zhangsan@example.cn", "z***@example.cn"),
    ],
)
def test_domain_examples(kind: MaskKind, value: str, expected: str) -> None:
    assert mask(kind, value) == expected
    assert mask(kind.value, value) == expected  # by name too


def test_id18_with_x_check_character() -> None:
    assert mask(MaskKind.ID18, "11010519491231002X") == "1101**********002X"


def test_mask_id_number_chooses_by_shape() -> None:
    assert mask_id_number("445102199003071230") == "4451**********1230"
    assert mask_id_number("445102900307123") == "4451********123"
    assert mask_id_number("E12345678") == "E*****678"


def test_name_edge_cases() -> None:
    assert mask_name("张") == "*"
    assert mask_name("") == ""
    assert mask_name(" 李四 ") == "李*"
    assert mask_name("买买提·艾力") == "买*****"


def test_mobile_with_prefix_and_separators() -> None:
    assert mask_mobile("+86 138-1234-5678") == "138****5678"
    assert mask_mobile("8613812345678") == "138****5678"


def test_landline_variants() -> None:
    assert mask_landline("020-87654321") == "020-******21"
    assert mask_landline("07682345678") == "0768*****78"
    assert mask_landline("0768-2345678-801") == "0768-*****78-***"
    assert mask_landline("12") == "**"


def test_address_variants() -> None:
    assert mask_address("广东省潮州市潮安区庵埠镇文里村5号") == "广东省潮州市潮安区庵埠镇****"
    assert mask_address("潮州市饶平县黄冈镇 河东路 3 号") == "潮州市饶平县黄冈镇****"
    # a street name that happens to end in 市 is not taken for a county-level unit
    assert mask_address("广东省潮州市太平路美食市场") == "广东省潮州市****"
    assert mask_address("太平路12号") == "****"
    assert mask_address("") == "****"
    assert mask_address("广东省潮州市湘桥区") == "广东省潮州市湘桥区"


def test_bank_account_and_email_edges() -> None:
    assert mask_bank_account("1234") == "**** **** **** ****"
    assert mask_bank_account("6222 0212 3456 7890 123") == "**** **** **** 0123"
    assert mask_email("no-at-sign") == "***"
    assert mask_email("@example.cn") == "***@example.cn"


# --- properties ------------------------------------------------------------------------------------

ENDS = {
    MaskKind.ID18: (4, 4, 10),
    MaskKind.ID15: (4, 3, 8),
    MaskKind.PASSPORT: (1, 3, 3),
}

# strings without surrounding whitespace (the maskers strip it)
text = st.text(max_size=40).map(str.strip)


@settings(max_examples=300)
@given(st.sampled_from(list(MaskKind)), st.text(max_size=60))
def test_never_raises_and_is_idempotent(kind: MaskKind, value: str) -> None:
    once = mask(kind, value)
    assert isinstance(once, str)
    assert mask(kind, once) == once


@settings(max_examples=300)
@given(st.sampled_from(list(ENDS)), text)
def test_keep_ends_kinds_reveal_only_head_and_tail(kind: MaskKind, value: str) -> None:
    head, tail, min_masked = ENDS[kind]
    out = mask(kind, value)
    n = len(value)
    assert len(out) == n
    # out must be value[:h] + "*" * m + value[n - t:] with h <= head, t <= tail, m >= min(n, min_masked)
    shapes = [
        (h, t)
        for h in range(head + 1)
        for t in range(tail + 1)
        if h + t <= n
        and n - h - t >= min(n, min_masked)
        and out == value[:h] + MASK_CHAR * (n - h - t) + value[n - t :]
    ]
    assert shapes, out
    if n >= head + tail + min_masked:
        assert out == value[:head] + MASK_CHAR * (n - head - tail) + value[n - tail :]


@settings(max_examples=200)
@given(text)
def test_name_reveals_at_most_first_character(value: str) -> None:
    out = mask_name(value)
    assert len(out) == len(value)
    assert set(out[1:]) <= {MASK_CHAR}
    if len(value) >= 2:
        assert out[0] == value[0]
    else:
        assert set(out) <= {MASK_CHAR}


@settings(max_examples=200)
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_mobile_numbers_keep_3_and_4(number: str) -> None:
    out = mask_mobile(number)
    assert out == number[:3] + "****" + number[-4:]


@settings(max_examples=200)
@given(text)
def test_mobile_reveals_at_most_seven_characters(value: str) -> None:
    out = mask_mobile(value)
    assert sum(1 for c in out if c != MASK_CHAR) <= 7 + value.count(MASK_CHAR)


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_address_reveals_only_a_prefix(value: str) -> None:
    out = mask_address(value)
    compact = "".join(value.split())
    kept = out.removesuffix("****") if out.endswith("****") else out
    if out != compact:
        assert out.endswith("****")
    assert compact.startswith(kept)
    assert all("\u4e00" <= c <= "\u9fff" for c in kept)


@settings(max_examples=200)
@given(text)
def test_bank_account_reveals_at_most_last_four(value: str) -> None:
    out = mask_bank_account(value)
    assert out.startswith("**** **** **** ")
    assert len(out) == len("**** **** **** 1234")
    compact = "".join(c for c in value if not c.isspace() and c not in "-()（）")
    assert out[-4:] == "****" or (len(compact) >= 8 and out[-4:] == compact[-4:])


@settings(max_examples=200)
@given(text)
def test_email_reveals_first_character_and_domain_only(value: str) -> None:
    out = mask_email(value)
    _local, at, domain = value.rpartition("@")
    if not at:
        assert out == "***"
    else:
        assert out.endswith("***@" + domain)
        assert len(out) - len("***@" + domain) <= 1
