"""`GuardContext`: everything a transition may consult besides the case itself."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import EnforcementItem
from .config import DeadlineConfig
from .errors import DomainValueError
from .facts import BodyFact, BodyFacts, CatalogueFacts, PersonnelFacts, RegulationFacts
from .working_calendar import WorkingCalendar


@dataclass(frozen=True)
class GuardContext:
    calendar: WorkingCalendar
    config: DeadlineConfig
    personnel: PersonnelFacts
    catalogue: CatalogueFacts
    bodies: BodyFacts
    regulations: RegulationFacts

    def require_item(self, code: str, version: str) -> EnforcementItem:
        item = self.catalogue.item(code, version)
        if item is None:
            raise DomainValueError(f"enforcement item {code}@{version} is not in the catalogue")
        return item

    def require_body(self, body_id: str) -> BodyFact:
        body = self.bodies.body(body_id)
        if body is None:
            raise DomainValueError(f"enforcement body {body_id} is unknown")
        return body
