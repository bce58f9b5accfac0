"""The result of applying a command: the new snapshot, the events to record and the deadlines set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .commands import CaseCommand
from .deadlines import Deadline
from .enums import CaseState
from .snapshot import CaseSnapshot


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One entry of the full-process record (《行政处罚法》第四十七条); the command is its payload."""

    case_id: str
    transition: str
    at: datetime
    actor_id: str
    from_state: CaseState | None
    to_state: CaseState
    summary: str
    command: CaseCommand

    @property
    def kind(self) -> str:
        return type(self.command).__name__


@dataclass(frozen=True, slots=True)
class Transition:
    """`transition` is the DOMAIN.md §5.2 number (T1…T33, T7a, T7b, T22a)."""

    transition: str
    before: CaseSnapshot | None
    after: CaseSnapshot
    events: tuple[CaseEvent, ...]
    deadlines: tuple[Deadline, ...]

    @property
    def state(self) -> CaseState:
        return self.after.state
