"""Plain functions behind ``hub gateway`` and ``hub plan``."""

from __future__ import annotations

from pathlib import Path

from graphql import parse, validate

from gateway.errors import ValidationFailed
from gateway.planning.plan import format_plan
from gateway.planning.planner import plan_operation
from gateway.supergraph.loader import load_supergraph


def serve(supergraph: str, host: str = "127.0.0.1", port: int = 4000, *, dedupe: bool = False,
          timeout_s: float = 10.0, workers: int = 1) -> int:
    """Serve the gateway for a supergraph file or URL (quiet logs); reload on SIGHUP. With `workers` > 1,
    that many processes share the port (:mod:`gateway.workers`); the exit status."""
    import functools

    import uvicorn

    from gateway.app import create_app

    build = functools.partial(create_app, supergraph, subgraph_timeout_s=timeout_s, dedupe_inflight=dedupe,
                              install_sighup=True)
    if workers > 1:
        from gateway.workers import WorkerOptions, run_workers

        return run_workers(WorkerOptions(build), workers=workers, host=host, port=port)
    uvicorn.run(build(), host=host, port=port, log_level="warning", access_log=False)
    return 0


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
