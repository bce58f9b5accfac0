"""`apply`: the single entry point of the penalty-case state machine (DOMAIN.md §5)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .commands import CaseCommand
from .context import GuardContext
from .errors import DomainValueError
from .snapshot import CaseSnapshot
from .transition import Transition
from .transitions import decision, intake, overlays, performance
from .transitions.base import Handler


def handlers() -> Mapping[type, Handler]:
    """Command type → handler, for every command of the machine."""
    table: dict[type, Handler] = {}
    for module in (intake, decision, performance, overlays):
        table.update(module.HANDLERS)
    return table


def apply(case: CaseSnapshot | None, command: CaseCommand, ctx: GuardContext) -> Transition:
    """Apply `command` to `case` (None before T1/T4).

    Returns the new snapshot with the events to record and the deadlines set; raises
    `GuardFailed` (rule id + article) when a legal guard fails and `IllegalTransition` when the
    command does not apply in the current state. Never mutates its inputs.
    """
    handler = handlers().get(type(command))
    if handler is None:
        raise DomainValueError(f"unknown command {type(command).__name__}")
    return handler(case, command, ctx)


def replay(commands: Iterable[CaseCommand], ctx: GuardContext, case: CaseSnapshot | None = None) -> CaseSnapshot:
    """Apply commands in order; the last snapshot (useful for rebuilding a case from its events)."""
    for command in commands:
        case = apply(case, command, ctx).after
    if case is None:
        raise DomainValueError("no command was replayed")
    return case
