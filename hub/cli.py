"""The `hub` command line: the Typer app, and one registration line per command or group.

Each command lives in a module of its own concept (`hub/cli_*.py`); how every command fails (one
paragraph, a non-zero exit status, never a traceback) is in `hub/cli_common.py`. A new command: its
module, its name in the import below, one registration line, and its failure cases in
tests/hub/test_cli_errors.py (which fails for a command without them).
"""

from __future__ import annotations

import typer

from hub import (
    cli_archive,
    cli_audit,
    cli_outbox,
    cli_schema,
    cli_seed,
    cli_serve,
    cli_store,
    cli_supervise,
    cli_token,
    cli_up,
    cli_web,
    logs_cli,
    secrets_cli,
    trial,
)
from hub.cli_common import run

app = typer.Typer(
    name="hub",
    help="Enforcement Hub: the GraphQL federation hub for administrative law enforcement and its supervision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command("seed")(cli_seed.seed)
app.command("sim")(cli_serve.sim)
app.command("up")(cli_up.up)
app.command("subgraph")(cli_serve.subgraph)
app.command("gateway")(cli_serve.gateway)
app.command("web")(cli_web.web)
app.command("plan")(cli_schema.plan)
app.command("compose")(cli_schema.compose)
app.command("access-model")(cli_schema.access_model)
app.command("trusted-documents")(cli_schema.trusted_documents)
app.command("token")(cli_token.token)
app.add_typer(cli_audit.app, name="audit")
app.add_typer(cli_archive.app, name="archive")
app.add_typer(cli_supervise.supervise_app, name="supervise")
app.add_typer(cli_supervise.sync_app, name="sync")
app.add_typer(cli_outbox.app, name="outbox")
app.add_typer(cli_store.app, name="db")
app.add_typer(secrets_cli.secrets_app, name="secrets")
app.command("trial-sim", hidden=True)(trial.trial_sim)
app.command("logs")(logs_cli.logs)


def main() -> None:
    run(app)


if __name__ == "__main__":
    main()
