"""Graph input types derived from the domain's command dataclasses, and the way back to commands.

Every command of the state machine gets an input type `<Command>Input` with the command's fields
(camel-cased by strawberry) minus `actorId` (the caller) and with `at` optional (default: now).
Nested value objects get their own inputs (`PenaltyProposalInput`, `ViolationInput`, ...). Two are
written by hand: `PartyInput` (which accepts an ID number only to hash it at once: the number is
never stored) and `InstalmentInput`. Deriving the inputs from the commands keeps the graph and the
legal core in step; the exported SDL pins the result.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from fractions import Fraction
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

import strawberry

from subgraphs.cases import types as graph_types
from subgraphs.cases.command_descriptions import input_description
from subgraphs.cases.descriptions import VALUE_INPUTS, field_description
from subgraphs.cases.domain.commands import CaseCommand, RegisterClue
from subgraphs.cases.domain.enums import PartyType
from subgraphs.cases.domain.records import Party
from subgraphs.cases.errors import BadInput
from subgraphs.common.types import GraphIdType

Int64 = graph_types.Int64
SKIP = frozenset({"actor_id", "at"})


@strawberry.input(description="当事人 — a party. Give idNumberHash, or idType + idNumber (hashed on receipt, never "
                              "stored); uscc for an organisation or individual business.")
class PartyInput:
    party_type: PartyType = strawberry.field(description="当事人类别 — natural person, individual business or "
                                                         "organisation")
    name: str = strawberry.field(description="名称/姓名 — the party's name")
    birth_date: date | None = strawberry.field(
        default=None, description="出生日期 — a natural person's birth date (age guards, 行政处罚法 第三十条)")
    id_type: GraphIdType | None = strawberry.field(
        default=None, description="证件类型 — the kind of identity document (goes with the number or its hash)")
    id_number_hash: str | None = strawberry.field(
        default=None, description="证件号码哈希 — HMAC-SM3 of the ID number, as the population subgraph keys it")
    id_number: str | None = strawberry.field(
        default=None, description="证件号码 — the ID number (S3): hashed at once and discarded, never stored")
    uscc: str | None = strawberry.field(
        default=None, description="统一社会信用代码 — the USCC of an organisation or individual business party")


@strawberry.input(description="分期缴纳 — one instalment of a payment plan (行政处罚法 第六十六条).")
class InstalmentInput:
    due: date = strawberry.field(description="到期日 — the day this instalment is due")
    amount_fen: Int64 = strawberry.field(description="分期金额 — amount of this instalment, in 分 (fen)")


def _is_instalments(hint: Any) -> bool:
    if get_origin(hint) is not tuple:
        return False
    args = get_args(hint)
    return len(args) == 2 and args[1] is Ellipsis and get_args(args[0]) == (date, int)


class InputTypes:
    """Builds (once) the input types for the commands and converts inputs back."""

    def __init__(self) -> None:
        self._types: dict[tuple[type, str], type] = {}

    def for_command(self, cmd: type[CaseCommand]) -> type:
        skip = SKIP | ({"case_id"} if cmd is RegisterClue else frozenset())
        return self._input(cmd, f"{cmd.__name__}Input", skip, with_at=True)

    def for_record_command(self, cmd: type, name: str, skip: frozenset[str]) -> type:
        """The input of a coercive-measure or inspection command (fields in `skip` are not asked)."""
        return self._input(cmd, name, SKIP | skip, with_at=True)

    def clue_input(self) -> type:
        return self._input(RegisterClue, "ClueInput", SKIP | {"case_id"}, with_at=False)

    def _graph_type(self, hint: Any, name: str) -> Any:
        origin = get_origin(hint)
        if origin in (Union, types.UnionType):
            members = [a for a in get_args(hint) if a is not type(None)]
            return self._graph_type(members[0], name) | None
        if _is_instalments(hint):
            return list[InstalmentInput]
        if origin in (frozenset, tuple):
            return list[self._graph_type(get_args(hint)[0], name)]  # type: ignore[misc]
        if hint is Party:
            return PartyInput
        if hint is RegisterClue:
            return self.clue_input()
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self._input(hint, f"{hint.__name__}Input", SKIP, with_at=False)
        if hint is int and name.endswith("_fen"):
            return Int64
        if hint is Fraction:
            return str
        if hint in (int, str, bool, date, datetime) or (isinstance(hint, type) and issubclass(hint, Enum)):
            return hint
        raise TypeError(f"no graph input type for {hint!r} ({name})")

    def _input(self, dc: type, name: str, skip: frozenset[str] | set[str], *, with_at: bool) -> type:
        key = (dc, name)
        if key in self._types:
            return self._types[key]
        hints = get_type_hints(dc)
        required: dict[str, Any] = {}
        optional: dict[str, Any] = {}
        defaults: dict[str, Any] = {}
        for f in dataclasses.fields(dc):
            if f.name in skip:
                continue
            graph = self._graph_type(hints[f.name], f.name)
            described = field_description(name, f.name)
            if f.default is not dataclasses.MISSING:
                optional[f.name] = graph
                default = f.default
                if isinstance(default, tuple | frozenset):
                    defaults[f.name] = strawberry.field(default_factory=list, description=described)
                else:
                    defaults[f.name] = strawberry.field(default=default, description=described)
            elif f.default_factory is not dataclasses.MISSING:
                optional[f.name] = graph
                defaults[f.name] = strawberry.field(default_factory=list, description=described)
            else:
                required[f.name] = graph
                defaults[f.name] = strawberry.field(description=described)
        if with_at:
            optional["at"] = datetime | None
            defaults["at"] = strawberry.field(default=None, description=field_description(name, "at"))
        namespace: dict[str, Any] = {"__annotations__": {**required, **optional}, **defaults,
                                     "__module__": __name__}
        cls = type(name, (), namespace)
        built: type = strawberry.input(cls, name=name, description=_type_description(name))
        self._types[key] = built
        return built

    # -- back to the domain ---------------------------------------------------------------

    def to_command(self, cmd: type[CaseCommand], value: Any, *, at: datetime, actor_id: str, case_id: str,
                   party: Callable[[PartyInput], Party]) -> CaseCommand:
        kwargs = self._fields(cmd, value, SKIP | {"case_id"}, at=at, actor_id=actor_id, case_id=case_id,
                              party=party)
        if cmd is RegisterClue:
            kwargs["case_id"] = case_id
        return cmd(at=at, actor_id=actor_id, **kwargs)

    def to_record_command(self, cmd: type, value: Any, *, skip: frozenset[str], at: datetime, actor_id: str,
                          **fixed: Any) -> Any:
        """A measure/inspection command from its input plus the fields the server supplies (`fixed`)."""
        kwargs = self._fields(cmd, value, SKIP | skip, at=at, actor_id=actor_id, case_id="", party=_no_party)
        return cmd(at=at, actor_id=actor_id, **kwargs, **fixed)

    def _fields(self, dc: type, value: Any, skip: frozenset[str] | set[str], **ctx: Any) -> dict[str, Any]:
        hints = get_type_hints(dc)
        out: dict[str, Any] = {}
        for f in dataclasses.fields(dc):
            if f.name in skip or value is None or not hasattr(value, f.name):
                continue
            out[f.name] = self._value(hints[f.name], getattr(value, f.name), f.name, **ctx)
        return out

    def _value(self, hint: Any, raw: Any, name: str, **ctx: Any) -> Any:
        if raw is None:
            return None
        origin = get_origin(hint)
        if origin in (Union, types.UnionType):
            members = [a for a in get_args(hint) if a is not type(None)]
            return self._value(members[0], raw, name, **ctx)
        if _is_instalments(hint):
            return tuple((i.due, int(i.amount_fen)) for i in raw)
        if origin is frozenset:
            return frozenset(self._value(get_args(hint)[0], v, name, **ctx) for v in raw)
        if origin is tuple:
            return tuple(self._value(get_args(hint)[0], v, name, **ctx) for v in raw)
        if hint is Party:
            return ctx["party"](raw)
        if hint is RegisterClue:
            fields = self._fields(RegisterClue, raw, SKIP | {"case_id"}, **ctx)
            return RegisterClue(at=ctx["at"], actor_id=ctx["actor_id"], case_id=ctx["case_id"], **fields)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return hint(**self._fields(hint, raw, SKIP, **ctx))
        if hint is Fraction:
            try:
                return Fraction(str(raw))
            except (ValueError, ZeroDivisionError) as exc:
                raise BadInput(f"{name}: {raw!r} is not a fraction") from exc
        if hint is int:
            return int(raw)
        return raw


def _type_description(input_name: str) -> str | None:
    """A command's input shares its mutation's text; a nested value object has its own."""
    stem = input_name.removesuffix("Input")
    return input_description(stem[:1].lower() + stem[1:]) or VALUE_INPUTS.get(input_name)


def _no_party(raw: PartyInput) -> Party:
    raise BadInput("this command takes no party")


@cache
def input_types() -> InputTypes:
    """The one builder per process: strawberry types must not be defined twice under one name."""
    return InputTypes()
