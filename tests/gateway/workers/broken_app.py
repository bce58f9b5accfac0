"""An app factory that fails in the worker process, as a broken supergraph would (light to import)."""

from __future__ import annotations

from typing import Any


def broken_app() -> Any:
    raise RuntimeError("this app cannot be built")
