"""The case steps an officer takes on the phone, as data: which state each is legal in, who may send it,
its fields (label, kind, where the value goes in the mutation's input) and where the phone goes after.

A field's `path` is its place in the mutation's `input` (`proposal.fineFen`); its `kind` says how the
posted value is read: `text`, `textarea`, `check` (a boolean), `select` / `multi` (one / several of
`choices`), `yuan` (an amount in 元, sent as fen), `int`, `lines` (one string per line) and `officers`
(ids of the body's officers, at least two), `moment` (办理时间, a local China time; empty: when the phone
recorded the step). `parse` turns the posted `fields` into the input, or names
the field it refuses (BAD_USER_INPUT beside that field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []  # data of web/pages/officer_actions.py

OFFICER_SIDE: Final = frozenset({"OFFICER", "LEGAL_REVIEWER", "BODY_HEAD"})
HEAD: Final = frozenset({"BODY_HEAD"})

KINDS: Final = (("WARNING", "警告"), ("PUBLIC_CRITICISM", "通报批评"), ("FINE", "罚款"),
                ("CONFISCATE_GAINS", "没收违法所得"), ("CONFISCATE_PROPERTY", "没收非法财物"))
CIRCUMSTANCES: Final = (("ORDINARY", "一般"), ("LIGHTER", "从轻"), ("REDUCED", "减轻"), ("HEAVIER", "从重"))
METHODS: Final = (("DIRECT", "直接送达"), ("LEFT_AT_ADDRESS", "留置送达"), ("POST", "邮寄送达"),
                  ("ELECTRONIC", "电子送达（须当事人签署确认书）"), ("ENTRUSTED", "委托送达"))
CASH_STAGES: Final = (("AGENCY", "已交至行政机关"), ("BANK", "已缴付指定银行"))
MAX_TEXT: Final = 2000
_MAX_FEN: Final = 10**15


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str
    path: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    default: Any = None
    hint: str = ""


@dataclass(frozen=True)
class Step:
    name: str  # the mutation
    title: str
    states: frozenset[str]
    fields: tuple[Field, ...] = ()
    roles: frozenset[str] = OFFICER_SIDE
    then: str | None = None  # where the phone goes after success ("notice" / "decision": the service page)
    note: str = ""
    fixed: dict[str, Any] = field(default_factory=dict)


def _proposal(prefix: str = "proposal") -> tuple[Field, ...]:
    return (
        Field("kinds", "处罚种类", "multi", f"{prefix}.kinds", True, KINDS, ("FINE",)),
        Field("circumstance", "裁量情节", "select", f"{prefix}.circumstance", True, CIRCUMSTANCES, "ORDINARY"),
        Field("fineYuan", "罚款金额（元）", "yuan", f"{prefix}.fineFen", False, default="0",
              hint="按元填写，可到分，如 1500 或 1500.50"),
    )


STEPS: Final = {s.name: s for s in (
    Step("fileCase", "立案", frozenset({"CLUE_VERIFYING"}), (
        Field("filingStandardMet", "符合立案标准", "check", "filingStandardMet", default=True),
        Field("filedFirstElsewhere", "其他有管辖权的机关已先行立案", "check", "filedFirstElsewhere", default=False),
    ), roles=HEAD, note="第五十四条：符合立案标准的，行政机关应当及时立案。"),
    Step("startInvestigation", "开始调查", frozenset({"FILED"}), (
        Field("officerIds", "调查人员（不少于两名）", "officers", "officerIds", True),
        Field("recusalChecked", "已核实调查人员无应当回避的情形", "check", "recusalChecked", default=False),
    ), note="第四十二条：执法人员不得少于两人；第四十三条：与案件有利害关系的应当回避。"),
    Step("concludeInvestigation", "调查终结", frozenset({"INVESTIGATING"}), (
        Field("reportDocId", "调查终结报告编号", "text", "reportDocId", True, default="调查终结报告"),
    )),
    Step("submitForReview", "提交负责人审查", frozenset({"INVESTIGATION_CONCLUDED"}),
         note="第五十七条：调查终结，行政机关负责人应当对调查结果进行审查。"),
    Step("serveNotice", "送达行政处罚事先告知书", frozenset({"UNDER_REVIEW"}), (
        *_proposal(),
        Field("factsStated", "已告知违法事实", "check", "factsStated", default=True),
        Field("reasonsStated", "已告知处罚理由", "check", "reasonsStated", default=True),
        Field("basisStated", "已告知处罚依据", "check", "basisStated", default=True),
        Field("rightsStated", "已告知陈述、申辩权利", "check", "rightsStated", default=True),
        Field("includesHearingRight", "已告知要求听证的权利", "check", "includesHearingRight", default=False),
    ), then="notice", note="第四十四条：告知拟作出的行政处罚内容及事实、理由、依据和陈述、申辩、要求听证等权利。"),
    Step("recordStatement", "记录陈述申辩", frozenset({"NOTIFIED", "HEARING_PENDING", "HEARING_HELD"}), (
        Field("summary", "陈述、申辩要点", "textarea", "summary", True),
    )),
    Step("reviewStatement", "复核陈述申辩", frozenset({"NOTIFIED", "HEARING_PENDING", "HEARING_HELD"}), (
        Field("index", "第几项陈述（从 1 起）", "int", "index", True, default="1"),
        Field("adopted", "当事人提出的事实、理由或者证据成立，予以采纳", "check", "adopted", default=False),
    ), note="第四十五条：对当事人提出的事实、理由和证据，应当进行复核。"),
    Step("waiveStatements", "当事人放弃陈述申辩", frozenset({"NOTIFIED"}),
         note="第六十二条：当事人明确放弃陈述或者申辩权利的，可以作出决定。"),
    Step("requestHearing", "当事人要求听证", frozenset({"NOTIFIED"}),
         note="第六十四条：当事人要求听证的，应当在行政机关告知后五日内提出。"),
    Step("decideOnTheSpot", "当场处罚决定（简易程序）", frozenset({"CLUE"}), (
        Field("officerIds", "执法人员（不少于两名）", "officers", "officerIds", True),
        *_proposal(),
        Field("docNo", "预定格式决定书编号", "text", "docNo", True),
        Field("basisRefs", "处罚依据（每行一条）", "lines", "basisRefs", True),
        Field("factsCertain", "违法事实确凿", "check", "factsCertain", default=False),
        Field("certificateShown", "已出示执法证件", "check", "certificateShown", default=False),
        Field("statementHeard", "已听取当事人陈述、申辩", "check", "statementHeard", default=False),
    ), note="第五十一条、第五十二条：警告或者小额罚款，违法事实确凿并有法定依据。"),
    Step("serveDecision", "送达行政处罚决定书", frozenset({"DECIDED", "NO_PENALTY_DECIDED"}), (
        Field("method", "送达方式", "select", "method", True, METHODS, "DIRECT"),
        Field("onSpot", "宣告后当场交付", "check", "onSpot", default=False),
    ), then="decision", note="第六十一条：当事人不在场的，七日内送达。"),
    Step("startPayment", "开始履行（缴款期）", frozenset({"SERVED"}),
         note="第六十七条：当事人应当自收到决定书之日起十五日内缴纳罚款。"),
    Step("confirmPayment", "确认缴款", frozenset({"SERVED", "PERFORMING", "OVERDUE"}), (
        Field("amountYuan", "缴款金额（元）", "yuan", "amountFen", True),
        Field("receiptNo", "缴款凭证号", "text", "receiptNo", True),
    )),
    Step("recordCashHandover", "当场收缴罚款交付", frozenset({"PERFORMED", "CLOSED"}), (
        Field("stage", "环节", "select", "stage", True, CASH_STAGES, "AGENCY"),
    ), note="第七十一条：当场收缴的罚款二日内交至行政机关，行政机关二日内缴付指定银行。"),
    Step("serveReminder", "送达催告书", frozenset({"OVERDUE"}),
         note="《行政强制法》第三十五条：作出强制执行决定前，应当事先书面催告当事人履行义务。"),
)}


def legal_steps(status: str | None, roles: tuple[str, ...] | frozenset[str]) -> list[Step]:
    """The steps of `STEPS` legal in `status` that one of `roles` may send, in the table's order."""
    return [s for s in STEPS.values() if status in s.states and any(r in s.roles for r in roles)]


class FieldRefused(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def fen_of(yuan: str) -> int:
    """'1500.5' 元 -> 150050 fen; refuses negatives, more than two decimals and absurd sums."""
    text = yuan.strip().replace(",", "").replace("，", "")
    if not re.fullmatch(r"\d{1,13}(\.\d{1,2})?", text):
        raise ValueError(text)
    fen = int((Decimal(text) * 100).to_integral_value())
    if fen > _MAX_FEN:
        raise ValueError(text)
    return fen


def _value(f: Field, raw: Any) -> Any:
    if f.kind == "check":
        return raw is True or raw in ("1", "true", "on")
    if f.kind in ("multi", "officers"):
        values = [str(v).strip() for v in (raw if isinstance(raw, list) else [raw] if raw else []) if str(v).strip()]
        if f.kind == "multi" and any(v not in dict(f.choices) for v in values):
            raise FieldRefused(f.name, f"{f.label}：选项无效")
        if f.required and not values:
            raise FieldRefused(f.name, f"请选择{f.label}")
        return list(dict.fromkeys(values))
    text = "" if raw is None else str(raw).strip()
    if len(text) > MAX_TEXT:
        raise FieldRefused(f.name, f"{f.label}不超过 {MAX_TEXT} 字")
    if f.required and not text:
        raise FieldRefused(f.name, f"请填写{f.label}")
    if f.kind == "select":
        if text not in dict(f.choices):
            raise FieldRefused(f.name, f"请选择{f.label}")
        return text
    if f.kind == "yuan":
        try:
            return fen_of(text or "0")
        except (ValueError, InvalidOperation):
            raise FieldRefused(f.name, f"{f.label}应为不小于 0 的金额，最多两位小数") from None
    if f.kind == "int":
        if not re.fullmatch(r"\d{1,4}", text) or int(text) < 1:
            raise FieldRefused(f.name, f"{f.label}应为正整数")
        return int(text) - 1  # the officer counts from 1, the graph from 0
    if f.kind == "lines":
        lines = [x.strip() for x in text.splitlines() if x.strip()]
        if f.required and not lines:
            raise FieldRefused(f.name, f"请填写{f.label}")
        return lines
    return text


AT: Final = Field("at", "办理时间", "moment", "at",
                  hint="留空即为本机记录该步骤的时间（离线记录的步骤按记录时间发送）")
_MOMENT: Final = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$")


def recorded_at(value: Any) -> str | None:
    """The phone's ISO timestamp of when it recorded a step, if it is one (else None: the graph's now)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.isoformat() if moment.tzinfo is not None else None


def fields_of(step: Step) -> tuple[Field, ...]:
    return (*step.fields, AT)


def parse(step: Step, posted: dict[str, Any]) -> dict[str, Any]:
    """The mutation's input from the posted `fields`; raises `FieldRefused` naming the field."""
    out: dict[str, Any] = dict(step.fixed)
    for f in fields_of(step):
        if f.kind == "moment":
            moment = str(posted.get(f.name) or "").strip()
            if moment:
                match = _MOMENT.match(moment)
                if match is None:
                    raise FieldRefused(f.name, f"{f.label}格式应为 2026-10-30 14:05")
                out["at"] = f"{match.group(1)}T{match.group(2)}{match.group(3) or ':00'}+08:00"
            continue
        value = _value(f, posted.get(f.name))  # fewer than two officers: the graph's guard says why
        where = out
        *parents, leaf = f.path.split(".")
        for part in parents:
            where = where.setdefault(part, {})
        where[leaf] = value
    return out
