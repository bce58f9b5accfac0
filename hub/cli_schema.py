"""`hub plan`, `hub compose`, `hub access-model`, `hub trusted-documents`: the schema as files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hub.cli_common import FOUND_PROBLEM, fail


def plan(
    query_file: Annotated[Path, typer.Argument(help="file with the GraphQL operation")],
    supergraph: Annotated[Path, typer.Option(help="supergraph SDL file")] = Path("schema/supergraph.graphql"),
    operation_name: Annotated[str | None, typer.Option("--operation-name", help="operation to plan")] = None,
    override_label: Annotated[list[str] | None, typer.Option(
        "--override-label", help="a progressive-override label to plan with switched on (repeatable)")] = None,
) -> None:
    """Print the query plan for an operation as stable text."""
    from graphql import GraphQLError

    from gateway.cli import plan_text
    from gateway.errors import GatewayError

    for path in (supergraph, query_file):
        if not path.is_file():
            raise fail(f"{path} does not exist" + (" (pass --supergraph, or run from the hub's directory)"
                                                   if path == supergraph else ""))
    try:
        typer.echo(plan_text(supergraph, query_file, operation_name, frozenset(override_label or ())))
    except GatewayError as exc:
        raise fail(str(exc)) from exc
    except GraphQLError as exc:
        raise fail(f"{query_file}: {exc.message}") from exc


def compose(
    config: Annotated[Path, typer.Option(help="the list of subgraphs ([[compose.subgraphs]] tables)")] = Path(
        "schema/compose.toml"),
    out: Annotated[Path, typer.Option(help="where to write the supergraph")] = Path("schema/supergraph.graphql"),
    check: Annotated[bool, typer.Option("--check", help="report breaking changes instead of writing")] = False,
    against: Annotated[Path, typer.Option(help="with --check: the supergraph clients use now")] = Path(
        "schema/supergraph.graphql"),
) -> None:
    """Compose subgraph schemas (files or running subgraphs) into the supergraph the gateway serves."""
    from hub.compose import check_command, compose_command

    if not config.is_file():
        raise fail(f"{config} does not exist (pass --config, or run from the hub's directory)")
    if check and not against.is_file():
        raise fail(f"{against} does not exist (pass --against with the supergraph clients use now)")
    code = check_command(config, against) if check else compose_command(config, out)
    raise typer.Exit(code)


def _write_or_check(path: Path, text: str, *, command: str, check: bool) -> None:
    """Write a generated file under the repository; with `check`, exit 1 when the committed one differs."""
    name = path.relative_to(path.parent.parent).as_posix()
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            typer.echo(f"{name} is out of date: run `{command}`", err=True)
            raise typer.Exit(FOUND_PROBLEM)
        typer.echo(f"{name} is up to date")
        return
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {name}")


def access_model(check: bool = typer.Option(False, help="fail when schema/access-model.md is not up to date")) -> None:
    """Write schema/access-model.md (who may read every field, in what form) from the supergraph."""
    from hub.access_model import ACCESS_MODEL, SUPERGRAPH, render

    if not SUPERGRAPH.is_file():
        raise fail(f"{SUPERGRAPH} does not exist: run `hub compose` first")
    text, missing = render(SUPERGRAPH.read_text(encoding="utf-8"))
    if missing:
        typer.echo("fields without an access rule (add one to the owning subgraph's access_rules.py):", err=True)
        for coordinate in missing:
            typer.echo(f"  {coordinate}", err=True)
        raise typer.Exit(FOUND_PROBLEM)
    _write_or_check(ACCESS_MODEL, text, command="hub access-model", check=check)


def trusted_documents(check: bool = typer.Option(False, help="fail when schema/trusted-documents.json is stale")) -> None:
    """Write schema/trusted-documents.json (the operations production runs) from schema/operations/ and the
    service clients' documents."""
    from hub.trusted_documents import MANIFEST, render

    try:
        text = render()
    except ValueError as exc:
        raise fail(f"schema/operations/{exc}") from exc
    _write_or_check(MANIFEST, text, command="hub trusted-documents", check=check)
