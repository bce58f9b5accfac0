"""`hub up --profile production`: the production profile, whole, for a trial on one machine.

The hub runs as production runs it (JWTs required, signed subgraph calls, trusted documents,
operation limits, the SM2-anchored access log, every secret from the settings, `hub secrets init`
writes a trial set). Only the outside world is stood in for, by the simulators in their production
form: no admin API; the credentials the hub holds for each department (the settings' own, e.g. from
the secrets file) are the ones the simulated system requires; the identity simulator issues real
ES256 tokens and knows the supervision engine by the settings' client secret; the receivers of
outbound data require their app key and secret.

The store is `database_url` when set, else a throwaway PostgreSQL server (`hub.trial_pg`) deleted at
the end. Before anything starts, every missing production setting is listed at once
(`hub.production.production_problems`). What the other `hub` commands need to reach the trial (the
profile, the store, the receivers) is written to `DATA_DIR/trial.env` while it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hub.settings import Profile, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from hub.runner import Part

__all__ = ["TRIAL_ENV", "department_parts", "trial_environment", "trial_sim", "up_command"]

#: set for the processes of a trial; `hub trial-sim` runs only under it
TRIAL_ENV = "HUB_TRIAL"
TRIAL_ENV_FILE = "trial.env"


def _say(message: str, *, error: bool = False) -> None:
    typer.secho(message, err=error, fg=typer.colors.RED if error else None)


def trial_environment(settings: Settings, seed_dir: Path, database_url: str) -> dict[str, str]:
    """The HUB_* variables every process of the trial gets: production, the store, and the simulated
    departments' addresses wherever the settings leave them unset."""
    from simulators.licence.build import DB_FILE
    from simulators.licence.dsn import read_only_dsn
    from simulators.registry import SIMULATORS

    def sim(name: str) -> str:
        return f"http://127.0.0.1:{settings.simulators.base_port + SIMULATORS[name].port_offset}"

    env = {"HUB_PROFILE": Profile.PRODUCTION.value, "HUB_DATABASE_URL": database_url, TRIAL_ENV: "1"}
    security, outbox = settings.security.model_fields_set, settings.outbox.model_fields_set
    if "jwks_url" not in security:
        env["HUB_SECURITY__JWKS_URL"] = f"{sim('identity')}/jwks.json"
    if "issuer" not in security:
        env["HUB_SECURITY__ISSUER"] = sim("identity")
    if not settings.outbox.data_centre_url and "data_centre_url" not in outbox:
        env["HUB_OUTBOX__DATA_CENTRE_URL"] = f"{sim('data_centre')}/api/exchange/v1/records"
    if not settings.outbox.credit_url and "credit_url" not in outbox:
        env["HUB_OUTBOX__CREDIT_URL"] = f"{sim('credit_publicity')}/api/credit/v1/penalties"
    if not settings.simulators.licence_dsn:
        # the licensing system's database file, read-only (production does not ask the simulator's admin API)
        env["HUB_SIMULATORS__LICENCE_DSN"] = read_only_dsn(seed_dir / DB_FILE).async_url
    return {k: v for k, v in env.items() if k not in os.environ or k in {"HUB_PROFILE", "HUB_DATABASE_URL"}}


def department_parts(settings: Settings, seed_dir: Path) -> list[Part]:
    """The simulated departments' processes in their production form (`hub trial-sim`, no admin API)."""
    from hub.runner import plan_simulators

    parts = plan_simulators(settings, seed_dir)
    for part in parts:
        part.args = ["trial-sim", *[a for a in part.args[1:] if a != "--admin"]]
        part.kind = part.kind.replace("simulator", "simulated department")
    return parts


def _write_env_file(path: Path, env: Mapping[str, str]) -> None:
    lines = ["# the trial's settings for other hub commands while it runs: set -a; . THIS_FILE; set +a"]
    lines += [f"{key}='{value}'" for key, value in sorted(env.items()) if key != TRIAL_ENV]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, ("\n".join(lines) + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def up_command(*, size: str, profile: str) -> int:
    """`hub up [--profile P]`: dev as before; `--profile production` a trial of the production profile."""
    from hub.runner import run_all

    if profile not in {"", Profile.DEV.value, Profile.PRODUCTION.value}:
        _say(f"--profile must be dev or production, not {profile!r}", error=True)
        return 2
    try:
        if profile != Profile.PRODUCTION.value:
            return run_all(load_settings(**({"profile": Profile(profile)} if profile else {})), size=size)
        # read as dev first: the production rules are checked all at once below, with the trial's values in
        draft = load_settings(profile=Profile.DEV)
    except SettingsError as exc:
        _say(str(exc), error=True)
        return 2
    return _trial(draft, size)


def _trial(draft: Settings, size: str) -> int:
    from rich.console import Console

    from hub.production import production_problems
    from hub.runner import ensure_seed, run_all
    from hub.trial_pg import PostgresUnavailable, TrialPostgres, start_postgres

    console = Console()
    draft.data_dir.mkdir(parents=True, exist_ok=True)
    pending = production_problems(draft.model_copy(update={"profile": Profile.PRODUCTION,
                                                           "database_url": "postgresql://trial"}))
    if pending:
        _say(f"production needs {len(pending)} more setting(s) (`hub secrets init` writes a trial set):", error=True)
        for line in pending:
            _say(f"  {line}", error=True)
        return 2
    server: TrialPostgres | None = None
    url = draft.database_url
    if not url:
        try:
            server = start_postgres()
        except PostgresUnavailable as exc:
            _say(str(exc), error=True)
            return 2
        url = server.url
        console.print(f"trial store: a throwaway PostgreSQL server at {url.split('@')[-1]} (deleted at the end)")
    env_file = draft.data_dir / TRIAL_ENV_FILE
    try:
        seed_dir = ensure_seed(draft, size, console)
        env = trial_environment(draft, seed_dir, url)
        os.environ.update(env)  # every process of the trial inherits them
        try:
            settings = load_settings()
        except SettingsError as exc:
            _say(str(exc), error=True)
            return 2
        _write_env_file(env_file, env)
        console.print(f"production profile, trial: the departments are simulated in their production form; "
                      f"other hub commands: set -a; . {env_file}; set +a")
        return run_all(settings, size=size, departments=department_parts(settings, seed_dir))
    finally:
        env_file.unlink(missing_ok=True)
        if server is not None:
            server.stop()


def trial_sim(
    name: Annotated[str, typer.Argument(help="a simulated system (see `hub sim --help`)")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 0,
    data: Annotated[Path, typer.Option(help="seeded data directory")] = Path("data/seed"),
) -> None:
    """A simulated department in its production form, for `hub up --profile production` (no admin API)."""
    import uvicorn

    from hub.logfiles import SIM_PREFIX
    from hub.observability import observe
    from simulators import registry
    from simulators.base import SimConfig
    from simulators.identity.app import CLIENT_SECRET_PREFIX

    if os.environ.get(TRIAL_ENV) != "1":
        _say("trial-sim runs only inside `hub up --profile production` (a trial)", error=True)
        raise typer.Exit(2)
    try:
        settings = load_settings()
        spec = registry.get(name)
    except (SettingsError, KeyError) as exc:
        _say(str(exc).strip("'\""), error=True)
        raise typer.Exit(2) from exc
    sims, outbox = settings.simulators, settings.outbox
    credentials = {
        "population": {"api_key": sims.population_api_key},
        "legal_person": {"username": sims.soap_username, "password": sims.soap_password},
        "national_credit": {"app_key": sims.national_credit_app_key, "app_secret": sims.national_credit_app_secret},
        "identity": {f"{CLIENT_SECRET_PREFIX}{settings.supervision.client_id}": settings.supervision.client_secret},
        "data_centre": {"app_key": outbox.data_centre_app_key, "app_secret": outbox.data_centre_app_secret},
        "credit_publicity": {"app_key": outbox.credit_app_key, "app_secret": outbox.credit_app_secret},
    }.get(name, {})
    config = SimConfig(data_dir=data, credentials=credentials, admin=False)
    sys.stdout.flush()
    uvicorn.run(spec.factory()(config), host="127.0.0.1",
                port=port or settings.simulators.base_port + spec.port_offset, log_level=settings.log_level.lower(),
                access_log=False, log_config=observe(settings, f"{SIM_PREFIX}{name}"))
