"""Plain functions behind ``hub gateway`` and ``hub plan``."""

from __future__ import annotations

from pathlib import Path

from graphql import parse, validate

from gateway.errors import ValidationFailed
from gateway.planning.plan import format_plan
from gateway.planning.planner import plan_operation
from gateway.supergraph.loader import load_supergraph


def serve(supergraph: str, host: str = "127.0.0.1", port: int = 4000, *, dedupe: bool = False,
          timeout_s: float = 10.0) -> None:
    """Serve the gateway for a supergraph file or URL (single process, quiet logs); reload on SIGHUP."""
    import uvicorn

    from gateway.app import create_app

    app = create_app(supergraph, subgraph_timeout_s=timeout_s, dedupe_inflight=dedupe, install_sighup=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def plan_text(supergraph_path: Path, query_path: Path, operation_name: str | None = None,
              labels: frozenset[str] = frozenset()) -> str:
    """The stable text of the plan for one operation (``hub plan --supergraph FILE QUERY_FILE``), with the
    progressive-override `labels` on."""
    supergraph = load_supergraph(supergraph_path.read_text(encoding="utf-8")).with_active_labels(labels)
    document = parse(query_path.read_text(encoding="utf-8"))
    errors = validate(supergraph.api_schema, document)
    if errors:
        raise ValidationFailed("; ".join(e.message for e in errors))
    return format_plan(plan_operation(supergraph, document, operation_name).plan)
