"""One typed settings object, read once at start from `hub.toml` (optional) and `HUB_*` variables.

Precedence, highest first: explicit keyword arguments, `HUB_*` environment variables (nested keys
with a double underscore: `HUB_GATEWAY__PORT=4100`), `hub.toml`, the profile's defaults.
A bad value fails with `SettingsError`, whose message names every bad key.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from hub.security_settings import SecuritySettings
from hub.telemetry_settings import TelemetrySettings

CONFIG_ENV = "HUB_CONFIG"
DEFAULT_CONFIG = "hub.toml"


class SettingsError(ValueError):
    """Raised when hub.toml or a HUB_* variable holds a value the hub cannot use."""


class Profile(StrEnum):
    DEV = "dev"
    PRODUCTION = "production"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SimulatorKnobs(_Section):
    """Fault injection for the simulated departmental systems (dev and tests only)."""

    latency_ms: float = Field(default=0.0, ge=0)
    error_rate: float = Field(default=0.0, ge=0, le=1)
    hang_rate: float = Field(default=0.0, ge=0, le=1)


class SimulatorSettings(_Section):
    host: str = "127.0.0.1"
    base_port: int = Field(default=4101, ge=1024, le=65000)
    population_api_key: str = "population-dev-key"
    national_credit_app_key: str = "credit-dev-app"
    national_credit_app_secret: str = "credit-dev-secret"
    soap_username: str = "hub"
    soap_password: str = "market-dev-password"
    #: the licensing system's read-only database URL; empty: asked of the system's `/__admin/dsn`, which
    #: only the simulator serves (dev). Production sets it.
    licence_dsn: str = ""
    knobs: SimulatorKnobs = SimulatorKnobs()


class SubgraphSettings(_Section):
    host: str = "127.0.0.1"
    base_port: int = Field(default=4001, ge=1024, le=65000)


class GatewaySettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=4000, ge=1, le=65535)
    supergraph: str = "schema/supergraph.graphql"
    subgraph_timeout_s: float = Field(default=10.0, gt=0)
    dedupe_inflight: bool = False
    #: gateway processes sharing the port (`hub gateway --workers N`); 1: the gateway runs in one process
    workers: int = Field(default=1, ge=1, le=64)
    #: progressive @override labels to switch on (percent(x) labels switch themselves on for x % of requests)
    override_labels: list[str] = Field(default_factory=list)


class WebSettings(_Section):
    """The supervision console (`web/`): where it listens and how it signs users in."""

    host: str = "127.0.0.1"
    port: int = Field(default=4200, ge=1, le=65535)
    #: the console's address as browsers reach it (default: http://127.0.0.1:<port>); the sign-in
    #: redirect URI is `<public_url>/auth/callback`, registered with the identity provider
    public_url: str = ""
    #: the identity provider as browsers reach it (authorization endpoint); default: security.issuer
    identity_url: str = ""
    #: the console's OAuth client (public client, PKCE)
    client_id: str = "supervision-console"
    #: the session cookie's Secure flag; default: on in production (TLS in front), off in dev
    cookie_secure: bool | None = None
    #: a session ends this long after sign-in at the latest (earlier when its token expires)
    session_ttl_s: int = Field(default=8 * 3600, ge=300, le=86_400)
    #: seconds between the alert list's checks for new alerts
    alert_poll_s: int = Field(default=15, ge=2, le=600)
    #: the GraphQL explorer for front-end teams; default: on in dev, off in production
    explorer: bool | None = None


class SupervisionSettings(_Section):
    #: the supervision subgraph follows the case store's events and re-evaluates the cases they touch
    #: every this many seconds (0: off; the full sweep, `hub supervise sweep`, still runs on demand)
    follow_interval_s: float = Field(default=5.0, ge=0)
    follow_batch: int = Field(default=500, ge=1, le=100_000)
    #: events younger than this are left to the next step (0: none; a lower number committed late is caught as a gap)
    follow_settle_s: float = Field(default=0.0, ge=0)
    #: a number passed and still without an event after this long is a rolled-back transaction
    follow_gap_timeout_s: float = Field(default=120.0, gt=0)
    #: where the sweep and the follower reach the gateway (default: gateway.host and port; 0.0.0.0 as 127.0.0.1)
    gateway_url: str = ""
    #: the service identity towards the gateway (client credentials); without a secret no token is
    #: fetched (dev). The token URL defaults to `<security.issuer>/oauth/token`.
    client_id: str = "supervision-engine"
    client_secret: str = ""
    token_url: str = ""


class OutboxSettings(_Section):
    """Outbound data (provincial data centre, 双公示 credit platform), delivered by the cases subgraph."""

    #: deliver every this many seconds (0: off; the messages wait and `hub outbox deliver` sends them)
    interval_s: float = Field(default=2.0, ge=0)
    batch: int = Field(default=100, ge=1, le=100)
    backoff_s: float = Field(default=2.0, gt=0)
    backoff_cap_s: float = Field(default=600.0, gt=0)
    timeout_s: float = Field(default=10.0, gt=0)
    #: days a penalty stays on the credit website after the decision (CF_GSJZQ): in general, and for a
    #: serious case (从重, revocation, closure, practice ban); DOMAIN.md §11.3 — the national rule is to verify
    publicity_general_days: int = Field(default=365, ge=1, le=3650)
    publicity_serious_days: int = Field(default=1095, ge=1, le=3650)
    #: the receivers' endpoints; empty: that destination is not delivered (`hub up` points them at the
    #: simulated receivers)
    data_centre_url: str = ""
    data_centre_app_key: str = "dc-dev-app"
    data_centre_app_secret: str = "dc-dev-secret"
    credit_url: str = ""
    credit_app_key: str = "credit-pub-dev-app"
    credit_app_secret: str = "credit-pub-dev-secret"


class SourceSettings(_Section):
    """How the subgraphs call the departments' systems (each source has its own breaker)."""

    #: the budget of one call to a department's system, retries included: a hanging system costs this
    timeout_s: float = Field(default=3.0, gt=0, le=60)
    #: quick failures (refused, 5xx) of a read are retried this often inside the budget
    read_retries: int = Field(default=2, ge=0, le=10)
    #: consecutive failed calls (timeouts included) that open the source's breaker
    breaker_threshold: int = Field(default=5, ge=1, le=1000)
    #: how long an open breaker fails calls at once before it lets one trial call through
    breaker_ttl_s: float = Field(default=10.0, gt=0, le=3600)


#: calls to departments' systems one subgraph request may make one after the other (the legal-person
#: subgraph asks the city registry, then the national one): the gateway's subgraph timeout must leave room
SEQUENTIAL_SOURCE_CALLS = 2


class SeedSettings(_Section):
    size: str = "small"
    seed: int = 7

    @field_validator("size")
    @classmethod
    def _size(cls, value: str) -> str:
        if value not in {"small", "medium", "large"}:
            raise ValueError("must be one of small, medium, large")
        return value


class Settings(BaseSettings):
    """Everything the hub reads at start. Build it with `load_settings()`."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_nested_delimiter="__", extra="forbid")

    profile: Profile = Profile.DEV
    data_dir: Path = Path("data")
    database_url: str = ""
    id_hash_secret: str = "dev-only-pepper-change-me"
    log_level: str = "INFO"
    seed: SeedSettings = SeedSettings()
    simulators: SimulatorSettings = SimulatorSettings()
    subgraphs: SubgraphSettings = SubgraphSettings()
    gateway: GatewaySettings = GatewaySettings()
    supervision: SupervisionSettings = SupervisionSettings()
    web: WebSettings = WebSettings()
    outbox: OutboxSettings = OutboxSettings()
    security: SecuritySettings = SecuritySettings()
    sources: SourceSettings = SourceSettings()
    telemetry: TelemetrySettings = TelemetrySettings()

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return upper

    @model_validator(mode="after")
    def _timeouts_nest(self) -> Settings:
        # a hanging department must end in that department's error (SOURCE_UNAVAILABLE on its fields),
        # not in the gateway giving up on the whole subgraph (SUBREQUEST_TIMEOUT on all of its fields)
        needed = SEQUENTIAL_SOURCE_CALLS * self.sources.timeout_s
        if self.gateway.subgraph_timeout_s <= needed:
            raise ValueError(f"gateway.subgraph_timeout_s ({self.gateway.subgraph_timeout_s:g} s) must exceed "
                             f"{SEQUENTIAL_SOURCE_CALLS} × sources.timeout_s ({needed:g} s)")
        return self

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        """The rules every production process needs, all reported at once (`hub.production` has the rest)."""
        if self.profile is Profile.PRODUCTION:
            problems = []
            if self.id_hash_secret.startswith("dev-only") or len(self.id_hash_secret) < 32:
                problems.append("id_hash_secret: production needs a secret of at least 32 characters")
            if not self.database_url.startswith("postgresql"):
                problems.append("database_url: production needs a postgresql:// URL")
            for name in ("data_centre", "credit"):
                if getattr(self.outbox, f"{name}_url") and "-dev-" in getattr(self.outbox, f"{name}_app_secret"):
                    problems.append(f"outbox.{name}_app_secret: production needs the receiver's own secret")
            if problems:
                raise ValueError("; ".join(problems))
        return self

    @property
    def store_url(self) -> str:
        """The hub's own store as a plain URL: the configured one, else a SQLite file under data_dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'hub.db'}"

    @property
    def effective_database_url(self) -> str:
        """The hub's own store: the configured URL, else a SQLite file under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'hub.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_TOML_PATH.get()))


_TOML_PATH: ContextVar[Path | None] = ContextVar("hub_toml_path", default=None)


def _describe(exc: ValidationError, source: str) -> str:
    lines = [f"invalid settings ({source}):"]
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc) or "(root)"
        env = "HUB_" + "__".join(loc).upper()
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        lines.append(f"  {key} (env {env}): {msg}")
    return "\n".join(lines)


def load_settings(config: Path | str | None = None, **overrides: Any) -> Settings:
    """Read hub.toml (if present; `HUB_CONFIG` or `config` names another file) and HUB_* variables."""
    explicit = config is not None or CONFIG_ENV in os.environ
    path = Path(config or os.environ.get(CONFIG_ENV, DEFAULT_CONFIG))
    if not path.is_file():
        if explicit:
            raise SettingsError(f"settings file {path} does not exist")
        toml_path = None
    else:
        toml_path = path
        try:
            with path.open("rb") as fh:
                tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
    token = _TOML_PATH.set(toml_path)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        source = f"{toml_path} and HUB_* environment" if toml_path else "HUB_* environment"
        raise SettingsError(_describe(exc, source)) from exc
    finally:
        _TOML_PATH.reset(token)
