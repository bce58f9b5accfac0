"""The hub's departmental subgraphs by name: where each app factory lives and its default port.

`hub subgraph NAME --port N` and `hub up` use this table: `spec.factory()(settings)` builds the
Starlette app (`create_app(settings)`); `spec.schema()` builds its schema (for SDL export).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from subgraphs.common.schema import SubgraphSchema

#: default ports: 4001.. (the gateway listens on 4000, the simulators from 4101)
BASE_PORT = 4001


@dataclass(frozen=True)
class SubgraphSpec:
    name: str
    package: str
    port_offset: int
    description: str

    @property
    def default_port(self) -> int:
        return BASE_PORT + self.port_offset

    def factory(self) -> Callable[..., Starlette]:
        module = importlib.import_module(f"{self.package}.app")
        factory: Callable[..., Starlette] = module.create_app
        return factory

    def schema(self) -> SubgraphSchema:
        module = importlib.import_module(f"{self.package}.schema")
        schema: SubgraphSchema = module.build_schema()
        return schema

    def create_app(self, settings: Any) -> Starlette:
        return self.factory()(settings)

    def from_settings(self, settings: Any, *, migrate: bool = True) -> Starlette:
        """The app configured from the hub's settings, as `hub subgraph` and `hub up` run it.

        A subgraph package may define `app.from_settings(settings, *, migrate)`; the departmental
        subgraphs share `SubgraphConfig.from_settings`.
        """
        module = importlib.import_module(f"{self.package}.app")
        custom = getattr(module, "from_settings", None)
        if custom is not None:
            app: Starlette = custom(settings, migrate=migrate)
            return app
        from subgraphs.common.config import SubgraphConfig

        config = SubgraphConfig.from_settings(settings).with_(migrate_on_start=migrate)
        default: Starlette = module.create_app(settings, config=config)
        return default


SUBGRAPHS: dict[str, SubgraphSpec] = {
    spec.name: spec
    for spec in (
        SubgraphSpec("population", "subgraphs.population", 0, "人口库: Person"),
        SubgraphSpec("legal_person", "subgraphs.legal_person", 1, "法人库: LegalEntity"),
        SubgraphSpec("licence", "subgraphs.licence", 2, "行政许可: Licence, Person.licences, LegalEntity.licences"),
        SubgraphSpec("personnel", "subgraphs.personnel", 3, "执法主体和人员库: EnforcementBody, Officer"),
        SubgraphSpec("cases", "subgraphs.cases", 4,
                     "执法案件: PenaltyCase, Person.cases, LegalEntity.penalties, Officer.cases"),
        SubgraphSpec("supervision", "subgraphs.supervision", 5,
                     "执法监督: SupervisionAlert, reviews, statistics; PenaltyCase.alerts, EnforcementBody.alerts"),
    )
}


def get(name: str) -> SubgraphSpec:
    try:
        return SUBGRAPHS[name]
    except KeyError:
        known = ", ".join(sorted(SUBGRAPHS))
        raise KeyError(f"unknown subgraph {name!r}; known: {known}") from None
