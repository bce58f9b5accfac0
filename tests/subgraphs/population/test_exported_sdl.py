"""Every departmental subgraph is registered, builds its app, and its exported SDL is current."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import ObjectTypeDefinitionNode, ObjectTypeExtensionNode, parse, print_ast

from simulators.registry import SIMULATORS
from subgraphs import registry
from subgraphs.common.config import PORT_OFFSETS
from subgraphs.sdl import export_sdl, render_sdl, stale


def test_exported_sdl_files_are_current() -> None:
    assert stale() == [], "run `python -m subgraphs.sdl` and commit schema/subgraphs/*.graphql"


def test_stale_detects_a_changed_file(tmp_path: Path) -> None:
    export_sdl(tmp_path)
    assert stale(tmp_path) == []
    (tmp_path / "licence.graphql").write_text(render_sdl("licence") + "\n# edited\n", encoding="utf-8")
    (tmp_path / "population.graphql").unlink()
    assert stale(tmp_path) == ["licence", "population"]


def test_sdl_never_keys_on_an_id_number() -> None:
    for name in registry.SUBGRAPHS:
        sdl = render_sdl(name)
        assert "idNumber\"" not in sdl
        assert '@key(fields: "idNumber' not in sdl
        # an ID number served as output is S3-sensitive (arguments and input fields are not masked)
        for definition in parse(sdl).definitions:
            if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                continue
            for field in definition.fields or ():
                if field.name.value == "idNumber":
                    assert '@sensitive(level: "S3", mask: "ID18")' in print_ast(field), (name, definition.name.value)


@pytest.mark.parametrize("name", sorted(registry.SUBGRAPHS))
def test_every_subgraph_builds_its_app(name: str, tmp_path: Path) -> None:
    from hub.settings import Settings

    spec = registry.get(name)
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'hub.db'}")
    app = spec.from_settings(settings, migrate=False)
    assert any(getattr(r, "path", None) == "/graphql" for r in app.routes)
    assert spec.default_port == registry.BASE_PORT + spec.port_offset


def test_unknown_subgraph_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: " + ", ".join(sorted(registry.SUBGRAPHS))):
        registry.get("nope")


def test_port_offsets_agree_with_the_simulator_registry() -> None:
    for name, offset in PORT_OFFSETS.items():
        assert SIMULATORS[name].port_offset == offset
