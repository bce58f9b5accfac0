"""The simulated systems by name: where each app lives, its default port offset and credentials."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from starlette.applications import Starlette

from simulators.base import SimConfig


@dataclass(frozen=True)
class SimulatorSpec:
    name: str
    module: str
    port_offset: int
    protocol: str
    description: str

    def factory(self) -> Callable[[SimConfig], Starlette]:
        module = importlib.import_module(self.module)
        factory: Callable[[SimConfig], Starlette] = module.create_app
        return factory


SIMULATORS: dict[str, SimulatorSpec] = {
    spec.name: spec
    for spec in (
        SimulatorSpec("population", "simulators.population.app", 0, "REST/JSON",
                      "public-security population system (人口库)"),
        SimulatorSpec("legal_person", "simulators.legal_person.app", 1, "SOAP 1.1",
                      "city market-regulation registry (法人库)"),
        SimulatorSpec("licence", "simulators.licence.app", 2, "legacy SQL (SQLite file)",
                      "licensing system database (行政许可)"),
        SimulatorSpec("certificates", "simulators.certificates.app", 3, "file drop (GB18030 CSV)",
                      "provincial enforcement-certificate system (执法证)"),
        SimulatorSpec("national_credit", "simulators.national_credit.app", 4, "REST/JSON",
                      "national enterprise registry"),
        SimulatorSpec("identity", "simulators.identity.app", 5, "OAuth2 token, sign-in (code + PKCE), JWKS",
                      "unified identity provider (统一身份认证)"),
        SimulatorSpec("data_centre", "simulators.data_centre.app", 6, "REST/JSON (signed batches)",
                      "provincial data centre exchange (省政务大数据中心)"),
        SimulatorSpec("credit_publicity", "simulators.credit_publicity.app", 7, "REST/JSON (signed batches)",
                      "credit publicity platform (双公示 / 信用网站)"),
    )
}


def get(name: str) -> SimulatorSpec:
    try:
        return SIMULATORS[name]
    except KeyError:
        known = ", ".join(sorted(SIMULATORS))
        raise KeyError(f"unknown simulator {name!r}; known: {known}") from None
