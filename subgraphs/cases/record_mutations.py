"""Mutations of coercive measures (§6.1) and inspections (§7), one per domain command.

Inputs are derived from the command dataclasses (`inputs.InputTypes.for_record_command`). Fields
the server supplies are not asked: a new measure takes its body, item and region from its case
(`caseId`); ids are generated (UUIDv7). Every mutation takes `idempotencyKey`; those on an existing
measure or inspection also take `expectedVersion` (a new one has no version yet). The input is
checked first (`input_rules`: BAD_USER_INPUT naming the field, nothing written); then a mutation
fails with the codes of `mutations.to_graphql_error` (GUARD_FAILED with `rule` and `article`,
ILLEGAL_TRANSITION, VERSION_CONFLICT, IDEMPOTENCY_KEY_REUSED, ...).
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from subgraphs.cases.access import CaseAccess, registered_region
from subgraphs.cases.codec import encode
from subgraphs.cases.command_descriptions import mutation_description
from subgraphs.cases.context import CasesContext, inspection_in_scope
from subgraphs.cases.descriptions import ARGS, NEW_MEASURE_CASE_ID
from subgraphs.cases.domain import coercive as co
from subgraphs.cases.domain import inspection as ins
from subgraphs.cases.domain.errors import DomainValueError
from subgraphs.cases.input_rules import check_arguments
from subgraphs.cases.inputs import input_types
from subgraphs.cases.inspections import INSPECTION, apply_to_inspection, plan_inspection
from subgraphs.cases.measures import MEASURE, apply_to_measure, register_measure
from subgraphs.cases.mutations import (
    _idempotency,
    _now,
    described_arg,
    guarded,
    require_case_access,
    require_user,
)
from subgraphs.cases.record_types import CoerciveMeasureView, InspectionView
from subgraphs.cases.service import uuid7
from subgraphs.common.errors import graphql_error
from subgraphs.common.logsafe import scrub

_FROM_CASE = frozenset({"measure_id", "case_id", "body_id", "item_code", "item_version", "region_code"})


@dataclass(frozen=True)
class Op:
    """One mutation: its name, command and what it targets (its description: `command_descriptions`)."""

    name: str
    command: type
    target: str  # "case" (creates a measure), "measure", "body" (creates an inspection), "inspection"

    @property
    def skip(self) -> frozenset[str]:
        if self.target == "case":
            return _FROM_CASE
        if self.target == "body":
            return frozenset({"inspection_id"})
        return frozenset()


MEASURE_OPS = (
    Op("approveCoerciveMeasure", co.ApproveMeasure, "case"),
    Op("applyEmergencyMeasure", co.ApplyEmergencyMeasure, "case"),
    Op("putMeasureInForce", co.PutInForce, "measure"),
    Op("reportEmergencyMeasure", co.ReportEmergency, "measure"),
    Op("serveFreezeDecision", co.ServeFreezeDecision, "measure"),
    Op("extendMeasure", co.Extend, "measure"),
    Op("addMeasureTestingPeriod", co.AddTestingPeriod, "measure"),
    Op("handleMeasure", co.Handle, "measure"),
    Op("releaseMeasure", co.Release, "measure"),
    Op("transferMeasure", co.TransferMeasure, "measure"),
)

INSPECTION_OPS = (
    Op("planInspection", ins.PlanInspection, "body"),
    Op("assignInspectors", ins.AssignInspectors, "inspection"),
    Op("startInspection", ins.StartOnSite, "inspection"),
    Op("recordInspectionFindings", ins.RecordResult, "inspection"),
    Op("closeInspection", ins.Resolve, "inspection"),
    Op("recheckInspection", ins.Recheck, "inspection"),
    Op("publishInspection", ins.PublishInspection, "inspection"),
)


def _input_name(op: Op) -> str:
    return op.name[0].upper() + op.name[1:] + "Input"


def _signature(command: Any, given_at: Any, generated: frozenset[str]) -> dict[str, Any]:
    fields = {k: v for k, v in encode(command).items() if k not in generated}
    fields["at"] = given_at.isoformat() if given_at else None
    return {"kind": type(command).__name__, "fields": fields}


def _not_found(what: str, record_id: str) -> GraphQLError:
    return graphql_error("NOT_FOUND", f"no {what} {record_id}")


async def _measure_case(info: Info[CasesContext, None], user: CaseAccess, measure_id: str) -> None:
    """The measure exists and its case is one `user` may change (NOT_FOUND / FORBIDDEN otherwise)."""
    found = await info.context.res.records.find(MEASURE, measure_id)
    if found is None:
        raise _not_found(MEASURE.label, measure_id)
    await require_case_access(info, user, found.snapshot.case_id)


async def _inspection_body(info: Info[CasesContext, None], user: CaseAccess, inspection_id: str) -> None:
    """The inspection exists and its body is in the scope of `user`, who may write."""
    found = await info.context.res.records.find(INSPECTION, inspection_id)
    if found is None:
        raise _not_found(INSPECTION.label, inspection_id)
    if not await inspection_in_scope(info.context, found.snapshot.body_id):
        raise graphql_error("FORBIDDEN", f"inspection {inspection_id} is outside the scope of {user.id}")
    if not user.writer:
        raise graphql_error("FORBIDDEN", f"{user.id} may read inspections but not change them")


async def _may_plan(info: Info[CasesContext, None], user: CaseAccess, body_uscc: str) -> None:
    region = await registered_region(info.context.res.engine, body_uscc) if user.scope is not None else None
    if not user.may_open_for(body_uscc, region):
        raise graphql_error("FORBIDDEN", f"{user.id} may not plan inspections for body {body_uscc}")


async def run_op(info: Info[CasesContext, None], op: Op, target_id: str | None, value: Any,
                 expected_version: int | None, idempotency_key: str | None) -> Any:
    user = require_user(info)
    check_arguments({"input": value, "idempotencyKey": idempotency_key})
    res = info.context.res
    given_at = getattr(value, "at", None) if value is not None else None
    at = given_at or _now()
    fixed: dict[str, Any] = {}
    generated: frozenset[str] = frozenset()
    if op.target == "case":
        assert target_id is not None
        case = await require_case_access(info, user, target_id)
        s = case.snapshot
        fixed = {"measure_id": uuid7(), "case_id": s.case_id, "body_id": s.body_id, "item_code": s.item_code,
                 "item_version": s.item_version, "region_code": s.region_code}
        generated = frozenset({"measure_id"})
    elif op.target == "body":
        fixed = {"inspection_id": uuid7()}
        generated = frozenset({"inspection_id"})
    elif op.target == "measure":
        assert target_id is not None
        await _measure_case(info, user, target_id)
    else:
        assert target_id is not None
        await _inspection_body(info, user, target_id)
    try:
        command = input_types().to_record_command(op.command, value, skip=op.skip, at=at, actor_id=user.id, **fixed)
    except (TypeError, DomainValueError) as exc:
        raise graphql_error("BAD_USER_INPUT", scrub(str(exc))) from exc
    if op.target == "body":
        await _may_plan(info, user, command.body_id)
    idem = _idempotency(idempotency_key, {"op": op.name, "target": target_id, "expectedVersion": expected_version,
                                          "command": _signature(command, given_at, generated)})
    store = res.records
    if op.target == "case":
        result = await guarded(register_measure(store, command, idempotency=idem))
        return CoerciveMeasureView.from_stored(result.record)
    if op.target == "measure":
        assert target_id is not None
        result = await guarded(apply_to_measure(store, target_id, command, expected_version=expected_version,
                                                idempotency=idem))
        return CoerciveMeasureView.from_stored(result.record)
    if op.target == "body":
        planned = await guarded(plan_inspection(store, command, idempotency=idem))
        return InspectionView.from_stored(planned.record)
    assert target_id is not None
    done = await guarded(apply_to_inspection(store, target_id, command, expected_version=expected_version,
                                             idempotency=idem))
    return InspectionView.from_stored(done.record)


def op_mutation(op: Op) -> Any:
    """A strawberry mutation field for `op` (signature built from the command's input type)."""
    input_cls = input_types().for_record_command(op.command, _input_name(op), op.skip)
    required = [f for f in dataclasses.fields(input_cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    returns: type = CoerciveMeasureView if op.target in ("case", "measure") else InspectionView
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info[CasesContext, None])]
    id_arg = {"case": "case_id", "measure": "measure_id", "inspection": "inspection_id"}.get(op.target)
    if id_arg is not None:
        text = NEW_MEASURE_CASE_ID if op.target == "case" else ARGS[id_arg]
        params.append(inspect.Parameter(id_arg, kw, annotation=described_arg(strawberry.ID, text)))
    if required:
        params.append(inspect.Parameter("input", kw, annotation=described_arg(input_cls, ARGS["input"])))
    else:
        params.append(inspect.Parameter("input", kw, default=None,
                                        annotation=described_arg(input_cls | None, ARGS["input"])))
    if op.target in ("measure", "inspection"):
        params.append(inspect.Parameter("expected_version", kw, default=None,
                                        annotation=described_arg(int | None, ARGS["expected_version"])))
    params.append(inspect.Parameter("idempotency_key", kw, default=None,
                                    annotation=described_arg(str | None, ARGS["idempotency_key"])))

    async def resolve(info: Any, **kwargs: Any) -> Any:
        target = kwargs.get(id_arg) if id_arg is not None else None
        return await run_op(info, op, str(target) if target is not None else None, kwargs.get("input"),
                            kwargs.get("expected_version"), kwargs.get("idempotency_key"))

    resolve.__name__ = op.name
    resolve.__signature__ = inspect.Signature(params, return_annotation=returns)  # type: ignore[attr-defined]
    resolve.__annotations__ = {p.name: p.annotation for p in params} | {"return": returns}
    return strawberry.mutation(resolver=resolve, name=op.name, description=mutation_description(op.name))


def record_mutations() -> dict[str, Any]:
    """The mutation fields for measures and inspections, by attribute name."""
    return {op.name: op_mutation(op) for op in (*MEASURE_OPS, *INSPECTION_OPS)}
