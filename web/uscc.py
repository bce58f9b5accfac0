"""The GB 32100-2015 check on a unified social credit code (统一社会信用代码), before the graph is asked.

18 characters from the code's alphabet (digits and capital letters without I, O, S, V, Z); the last
is the check character: 31 minus (the weighted sum of the first 17 modulo 31), the weights being
3^i mod 31 for positions 0..16, with 31 written as 0. The console is a client of the graph and keeps
its own small copy of the rule (it must not reach into the hub's domain code).
"""

from __future__ import annotations

from typing import Final

__all__ = ["ALPHABET", "check_char", "problem"]

#: the 31 characters a USCC may use, in value order (0..30)
ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE: Final = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))


def check_char(body17: str) -> str:
    """The check character of the first 17 characters (which must be in the alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(body17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(value: str) -> str | None:
    """What is wrong with `value` as a USCC, in Chinese for the form; None when it is well formed."""
    if len(value) != 18:
        return f"统一社会信用代码应为 18 位，当前为 {len(value)} 位"
    bad = sorted({c for c in value if c not in _VALUE})
    if bad:
        return "统一社会信用代码含有无效字符：" + "、".join(bad)
    if check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位不正确，请核对后重新输入"
    return None
