"""The real stack in-process over loopback: simulators, subgraphs sharing one store, and the gateway.

`running_stack(seed_dir, work_dir, database_url)` seeds the store (the generator's cases with the
ground-truth injections, the pseudonym vault from the population file as a person-index sync would),
starts the population and certificate systems, the personnel, population, cases and supervision
subgraphs and the gateway as `hub gateway` builds it for the dev profile, and yields their URLs.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.audit import gateway_security
from hub.runner import SIMULATED_ENGINE_SECRET
from hub.settings import Settings
from simulators.base import SimConfig
from simulators.certificates.app import create_app as create_certificate_system
from simulators.identity.app import create_app as create_identity_provider
from simulators.licence.app import create_app as create_licensing_system
from simulators.population.app import create_app as create_population_system
from subgraphs.cases.app import create_app as create_cases_subgraph
from subgraphs.cases.config import CasesConfig
from subgraphs.common.config import SubgraphConfig
from subgraphs.licence.app import create_app as create_licence_subgraph
from subgraphs.personnel.app import create_app as create_personnel_subgraph
from subgraphs.population.app import create_app as create_population_subgraph
from subgraphs.supervision.app import create_app as create_supervision_subgraph
from tests.support.servers import serve

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema" / "supergraph.graphql"
API_KEY = "stack-population-key"


@dataclass(frozen=True)
class Stack:
    gateway: str
    supervision: str
    database_url: str
    settings: Settings

    @property
    def graphql(self) -> str:
        return f"{self.gateway}/graphql"


def with_urls(sdl: str, urls: dict[str, str]) -> str:
    """The supergraph with its subgraph URLs replaced; subgraphs not running point at a dead port."""
    def swap(m: re.Match[str]) -> str:
        return f'{m.group(1)}{urls.get(m.group(2), "http://127.0.0.1:9/graphql")}"'

    return re.sub(r'(@join__graph\(name: "([^"]+)", url: ")[^"]*"', swap, sdl)


async def remember_persons(database_url: str, seed_dir: Path, secret: bytes) -> int:
    """Fill the pseudonym vault with every seeded person (what the person-index sync does)."""
    from subgraphs.common.db import create_engine
    from subgraphs.common.vault import PseudonymVault

    rows = [json.loads(x) for x in (seed_dir / "persons.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    engine = create_engine(database_url)
    try:
        await PseudonymVault(engine, secret).remember(((r["id_type"], r["id_number"]) for r in rows), source="seed")
    finally:
        await engine.dispose()
    return len(rows)


@contextlib.contextmanager
def running_stack(seed_dir: Path, work_dir: Path, database_url: str, secret: bytes, *,
                  licences: bool = False) -> Iterator[Stack]:
    """Serve the stack over a store already migrated and seeded; yield its URLs. `licences`: also the
    licensing system (its legacy database built from the seed's licences.jsonl) and the licence subgraph."""
    drop = work_dir / "cert_drop"
    with serve(create_population_system(SimConfig(data_dir=seed_dir, credentials={"api_key": API_KEY}))) as people, \
            serve(create_certificate_system(SimConfig(data_dir=seed_dir), drop_dir=drop)), \
            serve(create_identity_provider(SimConfig(data_dir=work_dir, credentials={"ephemeral_keys": "1"}))) as idp:
        # the engine signs in as its own client (as `hub up` arranges it): a department system with the
        # SUPERVISION purpose reads the birth dates the minors' rules need; anonymous callers get them withheld
        settings = Settings.model_validate({
            "database_url": database_url, "data_dir": str(work_dir), "id_hash_secret": secret.decode(),
            "security": {"jwks_url": f"{idp}/jwks.json", "issuer": idp},
            "supervision": {"token_url": f"{idp}/oauth/token", "client_secret": SIMULATED_ENGINE_SECRET}})
        config = SubgraphConfig(database_url=database_url, id_hash_secret=secret, population_url=people,
                                population_api_key=API_KEY, certificate_drop_dir=drop, seed_dir=seed_dir,
                                migrate_on_start=False)
        cases_config = CasesConfig(database_url=database_url, data_dir=work_dir / "cases", id_hash_secret=secret,
                                   migrate_on_start=False, allow_dev_header=True)
        with contextlib.ExitStack() as extra, \
                serve(create_personnel_subgraph(config=config), startup_timeout=60) as personnel, \
                serve(create_population_subgraph(config=config)) as population, \
                serve(create_cases_subgraph(config=cases_config), startup_timeout=60) as cases, \
                serve(create_supervision_subgraph(database_url=database_url, migrate=False)) as supervision:
            urls = {"personnel": personnel, "population": population, "cases": cases, "supervision": supervision}
            if licences:
                licensing = extra.enter_context(serve(create_licensing_system(
                    SimConfig(admin=True, data_dir=seed_dir)), startup_timeout=120))
                urls["licence"] = extra.enter_context(serve(create_licence_subgraph(
                    config=config.with_(licence_admin_url=licensing)), startup_timeout=120))
            supergraph = work_dir / "supergraph.graphql"
            supergraph.write_text(with_urls(SUPERGRAPH.read_text(encoding="utf-8"),
                                            {k: f"{v}/graphql" for k, v in urls.items()}), encoding="utf-8")
            gateway = _gateway(str(supergraph), settings)
            with serve(gateway) as gw:
                yield Stack(gw, supervision, database_url, settings)


def _gateway(supergraph: str, settings: Settings) -> Any:
    from gateway.secure import create_secure_app

    security, access_log = gateway_security(settings)
    return create_secure_app(supergraph, security, access_log=access_log,
                             local_subgraphs=settings.security.audit.local_subgraphs, subgraph_timeout_s=20.0)
