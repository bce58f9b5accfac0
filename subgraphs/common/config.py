"""What a departmental subgraph needs at start: where the departments' systems are, credentials, policy.

`SubgraphConfig.from_settings(settings)` derives everything from the hub's settings: the simulated
systems listen on `simulators.base_port + offset` (the offsets of `simulators.registry`, repeated
here because subgraphs do not import simulators; a test keeps the two in step). Tests and
deployments pass explicit URLs instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from adapters.resilience import SourcePolicy

#: port offsets of the departmental systems from `simulators.base_port` (see simulators.registry)
PORT_OFFSETS: dict[str, int] = {
    "population": 0, "legal_person": 1, "licence": 2, "certificates": 3, "national_credit": 4,
}

#: the sources whose calls run under a `SourcePolicy` (one breaker each); `sources.*` settings apply to all
SOURCES = ("population", "legal_person", "national_credit", "licence")


def is_dev_profile(settings: Any) -> bool:
    """True only for the dev profile (`Profile.DEV` or the string "dev"); anything else, none included, is not dev."""
    profile = getattr(settings, "profile", None)
    return getattr(profile, "value", profile) == "dev"


@dataclass(frozen=True)
class SubgraphConfig:
    database_url: str
    id_hash_secret: bytes
    population_url: str = ""
    population_api_key: str = ""
    market_url: str = ""
    soap_username: str = ""
    soap_password: str = ""
    national_credit_url: str = ""
    national_credit_app_key: str = ""
    national_credit_app_secret: str = ""
    #: the licensing system: its admin URL (asked for the read-only DSN) or the DSN itself
    licence_admin_url: str = ""
    licence_dsn: str = ""
    #: the directory the certificate system drops its snapshots into, and the seeded data directory
    certificate_drop_dir: Path | None = None
    seed_dir: Path | None = None
    policies: dict[str, SourcePolicy] = field(default_factory=dict)
    migrate_on_start: bool = True

    def policy(self, source: str) -> SourcePolicy:
        return self.policies.get(source, SourcePolicy())

    def with_(self, **changes: Any) -> SubgraphConfig:
        return replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: Any) -> SubgraphConfig:
        """Derive the configuration from `hub.settings.Settings` (typed loosely: subgraphs do not import hub)."""
        sims = settings.simulators
        base = f"http://{sims.host}:"

        def url(name: str) -> str:
            return f"{base}{sims.base_port + PORT_OFFSETS[name]}"

        seed_dir = Path(settings.data_dir) / "seed"
        sources = getattr(settings, "sources", None)
        policies: dict[str, SourcePolicy] = {}
        if sources is not None:
            policy = SourcePolicy(timeout_s=sources.timeout_s, read_retries=sources.read_retries,
                                  breaker_threshold=sources.breaker_threshold, breaker_ttl_s=sources.breaker_ttl_s)
            policies = dict.fromkeys(SOURCES, policy)
        return cls(
            database_url=settings.database_url or f"sqlite:///{Path(settings.data_dir) / 'hub.db'}",
            id_hash_secret=settings.id_hash_secret.encode(),
            population_url=url("population"),
            population_api_key=sims.population_api_key,
            market_url=url("legal_person"),
            soap_username=sims.soap_username,
            soap_password=sims.soap_password,
            national_credit_url=url("national_credit"),
            national_credit_app_key=sims.national_credit_app_key,
            national_credit_app_secret=sims.national_credit_app_secret,
            licence_admin_url=url("licence"),
            licence_dsn=getattr(sims, "licence_dsn", ""),
            certificate_drop_dir=seed_dir / "cert_drop",
            seed_dir=seed_dir,
            policies=policies,
        )
