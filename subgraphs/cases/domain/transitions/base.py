"""Helpers shared by the transition handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from ..clock import local_date
from ..commands import CaseCommand
from ..context import GuardContext
from ..deadlines import Deadline
from ..enums import CaseState
from ..errors import IllegalTransition
from ..snapshot import CaseSnapshot
from ..transition import CaseEvent, Transition

C = TypeVar("C", bound=CaseCommand)
Handler = Callable[[CaseSnapshot | None, Any, GuardContext], Transition]


def day_of(cmd: CaseCommand) -> date:
    return local_date(cmd.at)


def require_state(case: CaseSnapshot | None, cmd: CaseCommand, allowed: Iterable[CaseState]) -> CaseSnapshot:
    allowed_set = tuple(sorted(s.value for s in allowed))
    if case is None:
        raise IllegalTransition(type(cmd).__name__, "<no case>", allowed_set)
    if case.state.value not in allowed_set:
        raise IllegalTransition(type(cmd).__name__, case.state.value, allowed_set)
    return case


def advance(
    case: CaseSnapshot | None,
    after: CaseSnapshot,
    cmd: CaseCommand,
    *,
    transition: str,
    summary: str,
    deadlines: Iterable[Deadline] = (),
) -> Transition:
    """Build the `Transition`: bump the version, append the deadlines, record one event."""
    new_deadlines = tuple(deadlines)
    final = replace(
        after,
        version=(case.version + 1) if case is not None else after.version,
        deadlines=after.deadlines + new_deadlines,
    )
    event = CaseEvent(
        case_id=final.case_id,
        transition=transition,
        at=cmd.at,
        actor_id=cmd.actor_id,
        from_state=case.state if case is not None else None,
        to_state=final.state,
        summary=summary,
        command=cmd,
    )
    return Transition(transition, case, final, (event,), new_deadlines)


def moved(case: CaseSnapshot, to: CaseState, **changes: Any) -> CaseSnapshot:
    return replace(case, state=to, **changes)
