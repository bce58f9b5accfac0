"""Harness for composition tests: build subgraph SDLs tersely, compose, and assert on the outcome."""

from __future__ import annotations

from gateway.compose import CompositionError, CompositionResult, SubgraphSource, compose
from gateway.supergraph.loader import load_supergraph
from gateway.supergraph.model import Supergraph

DEFAULT_IMPORTS = ("@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible",
                   "@tag", "@extends")


def fed2(body: str, *, version: str = "2.3", imports: tuple[str, ...] = DEFAULT_IMPORTS) -> str:
    """A Federation 2 subgraph SDL: the federation `@link` header, then `body`."""
    names = ", ".join(f'"{n}"' for n in imports)
    return f'extend schema @link(url: "https://specs.apollo.dev/federation/v{version}", import: [{names}])\n{body}\n'


def compose_sdls(**subgraphs: str) -> CompositionResult:
    return compose([SubgraphSource(name, f"http://{name}.test/graphql", sdl) for name, sdl in subgraphs.items()])


def assert_composes(**subgraphs: str) -> str:
    """Compose; fail with the errors unless it succeeds; check the gateway loads it; return the SDL."""
    result = compose_sdls(**subgraphs)
    assert result.supergraph_sdl is not None, "\n".join(e.describe() for e in result.errors)
    load_supergraph(result.supergraph_sdl)
    return result.supergraph_sdl


def load(**subgraphs: str) -> Supergraph:
    return load_supergraph(assert_composes(**subgraphs))


def assert_error(code: str, *, subgraph: str | None = None, type: str | None = None, field: str | None = None,
                 mentions: tuple[str, ...] = (), **subgraphs: str) -> CompositionError:
    """Composition fails with an error of `code` naming the given subgraph/type/field."""
    result = compose_sdls(**subgraphs)
    assert result.supergraph_sdl is None, "composed although an error was expected"
    found = [e for e in result.errors if e.code == code]
    assert found, f"no {code}; got {[e.describe() for e in result.errors]}"
    for error in found:
        if ((subgraph is None or error.subgraph == subgraph) and (type is None or error.type == type)
                and (field is None or error.field == field) and all(m in error.message for m in mentions)):
            return error
    raise AssertionError(f"no {code} naming {subgraph}/{type}/{field} {mentions}: {[e.describe() for e in found]}")


def line_of(sdl: str, start: str) -> str:
    """The (stripped) line of `sdl` that starts with `start`."""
    for line in sdl.splitlines():
        if line.strip().startswith(start):
            return line.strip()
    raise AssertionError(f"no line starting with {start!r} in:\n{sdl}")
