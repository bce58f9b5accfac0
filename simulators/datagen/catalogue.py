"""A sample of the enforcement item catalogue (执法事项库): 44 items over nine domains.

Provisions and fine ranges follow the named statutes as commonly cited; they are synthetic sample
data for demos and tests, not an authoritative catalogue. Money is in 分. Item codes are opaque
strings (`440000-SJ-0001`); the real 粤执法 code format is unknown (DOMAIN.md §3.4).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

YUAN = 100  # fen per yuan

DOMAIN_ABBREVIATIONS: dict[str, str] = {
    "市场监管": "SJ", "城市管理": "CG", "生态环境": "HJ", "交通运输": "JT", "文化市场": "WH",
    "应急管理": "YJ", "农业": "NY", "卫生健康": "WJ", "烟草专卖": "YC",
}
DOMAINS: tuple[str, ...] = tuple(DOMAIN_ABBREVIATIONS)

# (individual, organisation) hearing thresholds in yuan: "较大数额" is unverified for Guangdong, so
# these are per-domain configuration values of the sample, not law.
_HEARING_YUAN: dict[str, tuple[int, int]] = {
    "市场监管": (10_000, 100_000), "城市管理": (5_000, 50_000), "生态环境": (50_000, 200_000),
    "交通运输": (10_000, 100_000), "文化市场": (10_000, 100_000), "应急管理": (10_000, 100_000),
    "农业": (10_000, 100_000), "卫生健康": (10_000, 100_000), "烟草专卖": (10_000, 100_000),
}

Provision = tuple[str, str]  # (regulation, article)

FSL = "中华人民共和国食品安全法"


@dataclass(frozen=True)
class FineRule:
    type: str  # FIXED_RANGE | MULTIPLE_OF | NONE
    min_fen: int | None = None
    max_fen: int | None = None
    base: str | None = None
    min_x: float | None = None
    max_x: float | None = None

    def as_json(self) -> dict[str, object]:
        if self.type == "FIXED_RANGE":
            return {"type": self.type, "min_fen": self.min_fen, "max_fen": self.max_fen}
        if self.type == "MULTIPLE_OF":
            return {"type": self.type, "base": self.base, "min_x": self.min_x, "max_x": self.max_x}
        return {"type": "NONE"}


NO_FINE = FineRule("NONE")


def yuan(low: int, high: int) -> FineRule:
    return FineRule("FIXED_RANGE", min_fen=low * YUAN, max_fen=high * YUAN)


def times(base: str, low: float, high: float) -> FineRule:
    return FineRule("MULTIPLE_OF", base=base, min_x=float(low), max_x=float(high))


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    action_type: str
    domain: str
    violated: tuple[Provision, ...]
    penalty: tuple[Provision, ...]
    kinds: tuple[str, ...]
    fine: FineRule
    major: bool = False
    first_violation: bool = False
    town: bool = False  # may be assigned to town/street offices (处罚法 Art. 24)

    def row(self) -> dict[str, object]:
        hearing = _HEARING_YUAN[self.domain] if self.action_type == "PENALTY" else None
        return {
            "code": self.code,
            "version": 1,
            "name": self.name,
            "action_type": self.action_type,
            "domain": self.domain,
            "violated_provisions": [{"regulation": r, "article": a} for r, a in self.violated],
            "penalty_provisions": [{"regulation": r, "article": a} for r, a in self.penalty],
            "allowed_kinds": list(self.kinds),
            "fine_rule": self.fine.as_json(),
            "discretion_benchmarks": benchmarks(self),
            "hearing_threshold_individual_fen": hearing[0] * YUAN if hearing else None,
            "hearing_threshold_org_fen": hearing[1] * YUAN if hearing else None,
            "major_decision": self.major,
            "first_violation_no_penalty": self.first_violation,
        }


def _round_yuan(fen: float) -> int:
    return round(fen / YUAN) * YUAN


def benchmarks(item: Item) -> list[dict[str, object]]:
    """Discretion bands (Art. 34): 不予处罚 (first violation), 减轻 below the minimum, then 从轻/一般/从重
    over 0–30 %, 30–70 % and 70–100 % of the statutory range."""
    fine = item.fine
    if item.action_type != "PENALTY" or fine.type == "NONE":
        return []
    bands: list[dict[str, object]] = []
    if fine.type == "FIXED_RANGE":
        assert fine.min_fen is not None
        assert fine.max_fen is not None
        low, high = fine.min_fen, fine.max_fen
        if item.first_violation:
            bands.append({"circumstance_level": "不予处罚", "min_fen": 0, "max_fen": 0})
        if low > 0:
            bands.append({"circumstance_level": "减轻", "min_fen": 0, "max_fen": low})
        span = high - low
        cuts = [low, _round_yuan(low + span * 0.3), _round_yuan(low + span * 0.7), high]
        for level, (a, b) in zip(("从轻", "一般", "从重"), itertools.pairwise(cuts), strict=True):
            bands.append({"circumstance_level": level, "min_fen": a, "max_fen": b})
        return bands
    assert fine.min_x is not None
    assert fine.max_x is not None
    lo, hi = fine.min_x, fine.max_x
    if item.first_violation:
        bands.append({"circumstance_level": "不予处罚", "min_fen": 0, "max_fen": 0, "min_x": 0.0, "max_x": 0.0})
    span_x = hi - lo
    cuts_x: list[float] = [lo, round(lo + span_x * 0.3, 4), round(lo + span_x * 0.7, 4), hi]
    for level, (x_low, x_high) in zip(("从轻", "一般", "从重"), itertools.pairwise(cuts_x), strict=True):
        bands.append({"circumstance_level": level, "min_fen": None, "max_fen": None,
                      "min_x": x_low, "max_x": x_high})
    return bands


_FINES = ("CONFISCATE_GAINS", "CONFISCATE_PROPERTY", "FINE")


def _items() -> tuple[Item, ...]:
    rows: list[tuple[str, str, str, tuple[Provision, ...], tuple[Provision, ...], tuple[str, ...], FineRule,
                     dict[str, bool]]] = [
        # 市场监管
        ("市场监管", "未取得食品经营许可从事食品经营活动", "PENALTY",
         ((FSL, "第三十五条第一款"),), ((FSL, "第一百二十二条第一款"),), _FINES, yuan(50_000, 100_000), {}),
        ("市场监管", "经营超过保质期的食品", "PENALTY",
         ((FSL, "第三十四条第十项"),), ((FSL, "第一百二十四条第一款第五项"),),
         (*_FINES, "ORDER_SUSPEND", "REVOKE_LICENCE"), yuan(50_000, 100_000), {"major": True}),
        ("市场监管", "食品从业人员未取得健康证明从事接触直接入口食品的工作", "PENALTY",
         ((FSL, "第四十五条第一款"),), ((FSL, "第一百二十六条第一款第六项"),),
         ("WARNING", "FINE", "ORDER_SUSPEND", "REVOKE_LICENCE"), yuan(5_000, 50_000), {"first_violation": True}),
        ("市场监管", "食品经营者未按规定查验供货者许可证和食品合格证明文件", "PENALTY",
         ((FSL, "第五十三条第一款"),), ((FSL, "第一百二十六条第一款第三项"),),
         ("WARNING", "FINE", "ORDER_SUSPEND", "REVOKE_LICENCE"), yuan(5_000, 50_000), {"first_violation": True}),
        ("市场监管", "未取得药品经营许可证销售药品", "PENALTY",
         (("中华人民共和国药品管理法", "第五十一条第一款"),), (("中华人民共和国药品管理法", "第一百一十五条"),),
         _FINES, times("货值金额", 15, 30), {"major": True}),
        ("市场监管", "销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品", "PENALTY",
         (("中华人民共和国产品质量法", "第十三条第一款"),), (("中华人民共和国产品质量法", "第四十九条"),),
         (*_FINES, "ORDER_SUSPEND", "REVOKE_LICENCE"), times("货值金额", 1, 3), {"major": True}),
        ("市场监管", "发布虚假广告", "PENALTY",
         (("中华人民共和国广告法", "第二十八条第一款"),), (("中华人民共和国广告法", "第五十五条第一款"),),
         ("FINE", "REVOKE_LICENCE"), times("广告费用", 3, 5), {"major": True}),
        ("市场监管", "未经设立登记从事经营活动", "PENALTY",
         (("中华人民共和国市场主体登记管理条例", "第三条第一款"),),
         (("中华人民共和国市场主体登记管理条例", "第四十三条"),),
         ("CONFISCATE_GAINS", "FINE", "ORDER_CLOSE"), yuan(10_000, 100_000), {}),
        ("市场监管", "经营者不按照规定明码标价", "PENALTY",
         (("中华人民共和国价格法", "第十三条第一款"),), (("中华人民共和国价格法", "第四十二条"),),
         ("CONFISCATE_GAINS", "FINE"), yuan(0, 5_000), {"first_violation": True}),
        ("市场监管", "使用未经检验的特种设备", "PENALTY",
         (("中华人民共和国特种设备安全法", "第三十二条第二款"),), (("中华人民共和国特种设备安全法", "第八十四条第一项"),),
         ("FINE",), yuan(30_000, 300_000), {"major": True}),
        ("市场监管", "使用不合格的计量器具", "PENALTY",
         (("中华人民共和国计量法实施细则", "第二十条"),), (("中华人民共和国计量法实施细则", "第四十三条"),),
         _FINES, yuan(0, 1_000), {"first_violation": True}),
        ("市场监管", "对食品经营者的监督检查", "INSPECTION",
         ((FSL, "第一百一十条"),), (), (), NO_FINE, {}),
        ("市场监管", "查封、扣押不符合食品安全标准的食品", "COERCIVE_MEASURE",
         ((FSL, "第一百一十条第四项"),), (), (), NO_FINE, {}),
        # 城市管理
        ("城市管理", "擅自占用城市道路摆摊设点", "PENALTY",
         (("城市道路管理条例", "第二十七条第五项"),), (("城市道路管理条例", "第四十二条"),),
         ("WARNING", "FINE"), yuan(0, 20_000), {"first_violation": True, "town": True}),
        ("城市管理", "未取得建设工程规划许可证进行建设", "PENALTY",
         (("中华人民共和国城乡规划法", "第四十条第一款"),), (("中华人民共和国城乡规划法", "第六十四条"),),
         ("FINE", "CONFISCATE_PROPERTY"), times("建设工程造价", 0.05, 0.1), {"major": True, "town": True}),
        ("城市管理", "随意倾倒、抛撒、堆放建筑垃圾", "PENALTY",
         (("中华人民共和国固体废物污染环境防治法", "第六十条"),),
         (("中华人民共和国固体废物污染环境防治法", "第一百一十一条第一款第三项"),),
         ("FINE",), yuan(50_000, 500_000), {"town": True}),
        ("城市管理", "擅自设置大型户外广告", "PENALTY",
         (("城市市容和环境卫生管理条例", "第十一条"),), (("城市市容和环境卫生管理条例", "第三十六条第一项"),),
         ("FINE",), yuan(1_000, 10_000), {"town": True}),
        ("城市管理", "未按规定分类投放生活垃圾", "PENALTY",
         (("广东省城乡生活垃圾管理条例", "第二十二条"),), (("广东省城乡生活垃圾管理条例", "第七十九条"),),
         ("WARNING", "FINE"), yuan(50, 200), {"first_violation": True, "town": True}),
        ("城市管理", "擅自砍伐城市树木", "PENALTY",
         (("城市绿化条例", "第二十四条"),), (("城市绿化条例", "第二十六条"),),
         ("FINE",), yuan(1_000, 50_000), {"town": True}),
        ("城市管理", "夜间在噪声敏感建筑物集中区域进行产生噪声的建筑施工作业", "PENALTY",
         (("中华人民共和国噪声污染防治法", "第四十三条第一款"),), (("中华人民共和国噪声污染防治法", "第七十七条"),),
         ("FINE", "ORDER_SUSPEND"), yuan(10_000, 100_000), {"town": True}),
        ("城市管理", "露天焚烧垃圾", "PENALTY",
         (("中华人民共和国大气污染防治法", "第七十七条"),), (("中华人民共和国大气污染防治法", "第一百一十九条第二款"),),
         ("FINE",), yuan(500, 2_000), {"first_violation": True, "town": True}),
        ("城市管理", "市容环境卫生监督检查", "INSPECTION",
         (("城市市容和环境卫生管理条例", "第四条"),), (), (), NO_FINE, {"town": True}),
        ("城市管理", "强制拆除违法建设", "COERCIVE_EXECUTION",
         (("中华人民共和国城乡规划法", "第六十八条"), ("中华人民共和国行政强制法", "第四十四条")), (), (),
         NO_FINE, {"major": True}),
        # 生态环境
        ("生态环境", "超过水污染物排放标准排放水污染物", "PENALTY",
         (("中华人民共和国水污染防治法", "第十条"),), (("中华人民共和国水污染防治法", "第八十三条第二项"),),
         ("FINE", "RESTRICT_PRODUCTION", "ORDER_SUSPEND", "ORDER_CLOSE"), yuan(100_000, 1_000_000), {"major": True}),
        ("生态环境", "建设项目未依法进行环境影响评价擅自开工建设", "PENALTY",
         (("中华人民共和国环境影响评价法", "第二十五条"),), (("中华人民共和国环境影响评价法", "第三十一条第一款"),),
         ("FINE",), times("建设项目总投资额", 0.01, 0.05), {"major": True}),
        ("生态环境", "未按照规定设置危险废物识别标志", "PENALTY",
         (("中华人民共和国固体废物污染环境防治法", "第七十七条"),),
         (("中华人民共和国固体废物污染环境防治法", "第一百一十二条第一款第一项"),),
         ("FINE", "ORDER_SUSPEND", "ORDER_CLOSE"), yuan(100_000, 1_000_000), {"major": True}),
        ("生态环境", "餐饮服务业经营者未安装油烟净化设施", "PENALTY",
         (("中华人民共和国大气污染防治法", "第八十一条第一款"),),
         (("中华人民共和国大气污染防治法", "第一百一十八条第一款"),),
         ("FINE", "ORDER_SUSPEND"), yuan(5_000, 50_000), {"first_violation": True}),
        ("生态环境", "查封、扣押造成污染物排放的设施、设备", "COERCIVE_MEASURE",
         (("中华人民共和国环境保护法", "第二十五条"),), (), (), NO_FINE, {}),
        ("生态环境", "排污单位现场检查", "INSPECTION",
         (("中华人民共和国环境保护法", "第二十四条"),), (), (), NO_FINE, {}),
        # 交通运输
        ("交通运输", "未取得道路运输经营许可擅自从事道路普通货物运输经营", "PENALTY",
         (("中华人民共和国道路运输条例", "第二十四条"),), (("中华人民共和国道路运输条例", "第六十三条"),),
         ("CONFISCATE_GAINS", "FINE"), times("违法所得", 2, 10), {}),
        ("交通运输", "道路货物运输车辆超限运输", "PENALTY",
         (("中华人民共和国公路法", "第五十条第一款"),), (("中华人民共和国公路法", "第七十六条第五项"),),
         ("FINE",), yuan(0, 30_000), {}),
        ("交通运输", "巡游出租汽车驾驶员拒载", "PENALTY",
         (("巡游出租汽车经营服务管理规定", "第三十二条"),), (("巡游出租汽车经营服务管理规定", "第四十七条"),),
         ("WARNING", "FINE"), yuan(200, 2_000), {"first_violation": True}),
        ("交通运输", "暂扣无有效道路运输证件的车辆", "COERCIVE_MEASURE",
         (("中华人民共和国道路运输条例", "第六十八条"),), (), (), NO_FINE, {}),
        # 文化市场
        ("文化市场", "互联网上网服务营业场所接纳未成年人进入", "PENALTY",
         (("互联网上网服务营业场所管理条例", "第二十一条"),), (("互联网上网服务营业场所管理条例", "第三十一条第二项"),),
         ("WARNING", "FINE", "ORDER_SUSPEND", "REVOKE_LICENCE"), yuan(0, 15_000), {}),
        ("文化市场", "旅行社未与旅游者签订旅游合同", "PENALTY",
         (("中华人民共和国旅游法", "第五十八条第一款"),), (("中华人民共和国旅游法", "第一百条第一项"),),
         ("FINE", "ORDER_SUSPEND"), yuan(30_000, 300_000), {"major": True}),
        ("文化市场", "擅自从事营业性演出经营活动", "PENALTY",
         (("营业性演出管理条例", "第六条"),), (("营业性演出管理条例", "第四十三条第一款"),),
         _FINES, times("违法所得", 8, 10), {}),
        # 应急管理
        ("应急管理", "未按照规定对从业人员进行安全生产教育和培训", "PENALTY",
         (("中华人民共和国安全生产法", "第二十八条第一款"),), (("中华人民共和国安全生产法", "第九十七条第三项"),),
         ("FINE", "ORDER_SUSPEND"), yuan(0, 100_000), {}),
        ("应急管理", "未经许可零售烟花爆竹", "PENALTY",
         (("烟花爆竹安全管理条例", "第十九条"),), (("烟花爆竹安全管理条例", "第三十六条第二款"),),
         _FINES, yuan(1_000, 5_000), {}),
        ("应急管理", "安全生产执法检查", "INSPECTION",
         (("中华人民共和国安全生产法", "第六十五条"),), (), (), NO_FINE, {}),
        # 农业
        ("农业", "经营假农药", "PENALTY",
         (("农药管理条例", "第四十四条"),), (("农药管理条例", "第五十五条第一款第一项"),),
         (*_FINES, "REVOKE_LICENCE"), yuan(5_000, 50_000), {"major": True}),
        ("农业", "在禁渔期进行捕捞", "PENALTY",
         (("中华人民共和国渔业法", "第三十条第一款"),), (("中华人民共和国渔业法", "第三十八条第一款"),),
         (*_FINES, "REVOKE_LICENCE"), yuan(0, 50_000), {"town": True}),
        # 卫生健康
        ("卫生健康", "公共场所经营者未取得卫生许可证擅自营业", "PENALTY",
         (("公共场所卫生管理条例实施细则", "第二十二条"),), (("公共场所卫生管理条例实施细则", "第三十五条第一款"),),
         ("WARNING", "FINE", "ORDER_SUSPEND"), yuan(500, 30_000), {}),
        ("卫生健康", "医疗机构使用非卫生技术人员从事医疗卫生技术工作", "PENALTY",
         (("医疗机构管理条例", "第二十七条"),), (("医疗机构管理条例", "第四十七条"),),
         ("FINE", "REVOKE_LICENCE"), yuan(10_000, 100_000), {"major": True}),
        # 烟草专卖
        ("烟草专卖", "无烟草专卖零售许可证经营烟草制品零售业务", "PENALTY",
         (("中华人民共和国烟草专卖法", "第十五条第一款"),), (("中华人民共和国烟草专卖法实施条例", "第五十八条"),),
         ("CONFISCATE_GAINS", "FINE"), times("违法经营总额", 0.2, 0.5), {}),
    ]
    items: list[Item] = []
    counters: dict[str, int] = {}
    for domain, name, action, violated, penalty, kinds, fine, flags in rows:
        counters[domain] = counters.get(domain, 0) + 1
        code = f"440000-{DOMAIN_ABBREVIATIONS[domain]}-{counters[domain]:04d}"
        items.append(Item(code, name, action, domain, violated, penalty, kinds, fine,
                          major=flags.get("major", False), first_violation=flags.get("first_violation", False),
                          town=flags.get("town", False)))
    return tuple(items)


def items() -> tuple[Item, ...]:
    """The sample catalogue, in a fixed order (built on each call; no module-level state)."""
    return _items()


def codes_for(catalogue: tuple[Item, ...], domains: tuple[str, ...], *, town: bool = False) -> list[str]:
    """Codes of the items in `domains`; only the town-assignable ones when `town`."""
    return [i.code for i in catalogue if i.domain in domains and (i.town or not town)]
