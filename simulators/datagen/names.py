"""Chinese personal names and trade names (字号) with a Chaozhou flavour."""

from __future__ import annotations

import random
from itertools import accumulate

# Surnames with rough relative weights; 陈 林 黄 dominate in eastern Guangdong.
_SURNAMES: tuple[tuple[str, int], ...] = (
    ("陈", 160), ("林", 90), ("黄", 75), ("李", 55), ("张", 45), ("蔡", 40), ("许", 36), ("郑", 34),
    ("吴", 32), ("刘", 30), ("王", 26), ("杨", 22), ("谢", 20), ("洪", 18), ("庄", 17), ("翁", 15),
    ("詹", 14), ("余", 12), ("丁", 11), ("邱", 11), ("苏", 10), ("沈", 10), ("彭", 9), ("柯", 9),
    ("卢", 9), ("姚", 8), ("周", 8), ("方", 8), ("肖", 7), ("曾", 7), ("卓", 6), ("佘", 5), ("郭", 7),
    ("朱", 6), ("罗", 6), ("江", 5), ("何", 5), ("魏", 5), ("孙", 4), ("赵", 4), ("钟", 5), ("潘", 4),
    ("纪", 4), ("文", 3), ("辜", 3), ("戴", 3), ("章", 3), ("马", 3), ("邢", 2), ("饶", 2),
    ("欧阳", 2), ("司徒", 1), ("上官", 1), ("司马", 1), ("诸葛", 1),
)
SURNAMES: tuple[str, ...] = tuple(s for s, _ in _SURNAMES)
COMPOUND_SURNAMES: frozenset[str] = frozenset(s for s in SURNAMES if len(s) == 2)
_SURNAME_CUM: tuple[int, ...] = tuple(accumulate(w for _, w in _SURNAMES))

_MALE_CHARS = (
    "伟强俊杰明辉鹏浩文斌志彬锐泽宏庆海荣坤鑫耀炜涛亮永建国栋锋泉楷德钦佳鸿升晓烨泓旭嘉奕梓宇瀚铭"
    "少雄汉松树武光华林伟勇达腾昊然"
)
_FEMALE_CHARS = (
    "丽燕娟玲婷霞敏静芳洁慧丹雪萍琳瑜佩璇妍欣怡琪思雅晓莹纯桂惠秀淑蓉珊楠梓涵诗妙銮映素碧佳若彤欢"
)

_TRADE_CHARS = "金宏顺兴永盛瑞丰泰华联达昌鸿佳德和利源信嘉富荣新恒广万隆汇通创益发明安捷美龙凤韩潮湘宝晟"


def person_name(rng: random.Random, gender: str) -> str:
    """A full name: weighted surname plus a one- or two-character given name for the gender ("1"/"2")."""
    surname = rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]
    pool = _MALE_CHARS if gender == "1" else _FEMALE_CHARS
    if rng.random() < 0.2:
        return surname + rng.choice(pool)
    return surname + rng.choice(pool) + rng.choice(pool)


def trade_name(rng: random.Random) -> str:
    """A two-character trade name (字号) such as 宏达."""
    first = rng.choice(_TRADE_CHARS)
    second = rng.choice(_TRADE_CHARS.replace(first, ""))
    return first + second
