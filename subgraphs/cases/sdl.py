"""Export the cases subgraph's SDL to `schema/subgraphs/cases.graphql` (same header as `subgraphs.sdl`).

Kept here until the subgraph is listed in `subgraphs.registry`; then `subgraphs.sdl.export_sdl`
writes the identical file.
"""

from __future__ import annotations

from pathlib import Path

from subgraphs.cases.schema import build_schema
from subgraphs.sdl import HEADER, SCHEMA_DIR


def render() -> str:
    return HEADER + build_schema().as_str().rstrip("\n") + "\n"


def export(out_dir: Path = SCHEMA_DIR) -> Path:
    path = out_dir / "cases.graphql"
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(export())
