"""`hub compose` and `hub compose-check` as plain functions (the CLI wires them in).

The subgraphs to compose come from the config file (`hub.toml`), as a list of tables:

    [[compose.subgraphs]]          # or top-level [[subgraphs]]
    name = "personnel"
    url = "http://127.0.0.1:4001/graphql"
    sdl_file = "schema/subgraphs/personnel.graphql"   # optional, relative to the config file

Without `sdl_file` the SDL is fetched from the running subgraph with `{ _service { sdl } }`.
Exit codes: 0 success, 1 composition errors or breaking changes, 2 bad configuration or sources.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any, TextIO

import httpx

from gateway.compose import ComposeError, SourceError, SubgraphSource, check, compose
from gateway.compose.check import Severity

SERVICE_QUERY = "{ _service { sdl } }"
FETCH_TIMEOUT_S = 10.0


def _entries(config: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    section = config.get("compose", {})
    entries = section.get("subgraphs") if isinstance(section, dict) else None
    if entries is None:
        entries = config.get("subgraphs")
    if not isinstance(entries, list) or not entries:
        raise SourceError(f"{path}: no [[compose.subgraphs]] (or [[subgraphs]]) entries")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(
                entry.get("url"), str):
            raise SourceError(f"{path}: subgraph entry {i} needs string `name` and `url`")
        unknown = set(entry) - {"name", "url", "sdl_file"}
        if unknown:
            raise SourceError(f"{path}: subgraph {entry['name']!r} has unknown keys {sorted(unknown)}")
    return entries


def fetch_sdl(name: str, url: str, *, client: httpx.Client | None = None) -> str:
    """The SDL a running subgraph reports through `_service { sdl }`."""
    own = client is None
    http = client or httpx.Client(timeout=FETCH_TIMEOUT_S)
    try:
        response = http.post(url, json={"query": SERVICE_QUERY})
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SourceError(f"cannot fetch the SDL from {url}: {exc}", subgraph=name) from exc
    finally:
        if own:
            http.close()
    sdl = ((body.get("data") or {}).get("_service") or {}).get("sdl") if isinstance(body, dict) else None
    if not isinstance(sdl, str):
        raise SourceError(f"{url} answered no `_service.sdl`", subgraph=name)
    return sdl


def load_sources(config_path: Path, *, client: httpx.Client | None = None) -> list[SubgraphSource]:
    """Read the subgraph list from the config file and each SDL from its file or its running subgraph."""
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"cannot read {config_path}: {exc}") from exc
    sources: list[SubgraphSource] = []
    for entry in _entries(config, config_path):
        name, url = entry["name"], entry["url"]
        if "sdl_file" in entry:
            file = config_path.parent / str(entry["sdl_file"])
            try:
                sdl = file.read_text(encoding="utf-8")
            except OSError as exc:
                raise SourceError(f"cannot read {file}: {exc}", subgraph=name) from exc
        else:
            sdl = fetch_sdl(name, url, client=client)
        sources.append(SubgraphSource(name=name, url=url, sdl=sdl))
    return sources


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _compose_from(config_path: Path, err: TextIO) -> str | None:
    result = compose(load_sources(config_path))
    if result.supergraph_sdl is None:
        for e in result.errors:
            print(e.describe(), file=err)
        print(f"composition failed with {len(result.errors)} error(s)", file=err)
        return None
    return result.supergraph_sdl


def compose_command(config_path: str | Path, out_path: str | Path, *, out: TextIO | None = None,
                    err: TextIO | None = None) -> int:
    """Compose the configured subgraphs and write the supergraph to `out_path`."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        sdl = _compose_from(Path(config_path), err)
    except ComposeError as exc:
        print(f"{exc.code}: {exc}", file=err)
        return 2
    if sdl is None:
        return 1
    _write_atomically(Path(out_path), sdl)
    print(f"wrote {out_path}", file=out)
    return 0


def check_command(config_path: str | Path, against_path: str | Path, *, out: TextIO | None = None,
                  err: TextIO | None = None) -> int:
    """Compose the configured subgraphs and report the client-visible changes against a supergraph file.

    Returns 1 when the composition fails or any change is breaking.
    """
    out, err = out or sys.stdout, err or sys.stderr
    try:
        sdl = _compose_from(Path(config_path), err)
        if sdl is None:
            return 1
        against = Path(against_path).read_text(encoding="utf-8")
        changes = check(sdl, against)
    except OSError as exc:
        print(f"cannot read {against_path}: {exc}", file=err)
        return 2
    except ComposeError as exc:
        print(f"{exc.code}: {exc}", file=err)
        return 2
    for change in changes:
        print(change.describe(), file=out)
    breaking = sum(c.severity is Severity.BREAKING for c in changes)
    print(f"{len(changes)} change(s), {breaking} breaking", file=out)
    return 1 if breaking else 0
