"""Per-request security state shared by the security and audit extensions, and the per-supergraph view cache."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from graphql import DocumentNode

from gateway.security.jwt_auth import Principal
from gateway.security.masking import MaskReport
from gateway.security.pruning import PruneResult
from gateway.security.view import SecurityView

if TYPE_CHECKING:
    from gateway.extensions import RequestContext
    from gateway.runtime import GatewayRuntime

__all__ = ["STATE_KEY", "RequestSecurity", "SubgraphCall", "ViewCache", "security_state"]

STATE_KEY: Final = "security"


@dataclass(slots=True)
class SubgraphCall:
    """One call to a subgraph, for the access log: its operation text and whether it answered."""

    query: str
    ok: bool


@dataclass(slots=True)
class RequestSecurity:
    """Who asks, why, and what the security layer did to the request."""

    principal: Principal | None
    purpose_code: str | None
    end_user: str | None
    client_ip: str | None
    request_id: str
    document: DocumentNode | None = None
    operation_name: str | None = None
    operation_kind: str = "query"
    query_hash: str | None = None
    prune: PruneResult | None = None
    masks: MaskReport = field(default_factory=MaskReport)
    calls: dict[str, list[SubgraphCall]] = field(default_factory=dict)
    #: the stated purpose's record (``x-purpose-ref``) and whether its owner confirmed the binding
    purpose_ref: str | None = None
    purpose_bound: bool = False
    #: this response took the caller past the daily volume of clear reads (for the auditor)
    volume_alert: bool = False

    def adopt(self, leader: RequestSecurity) -> None:
        """Take what the security layer did from the identical request whose answer this one shares
        (inbound de-duplication); who asks, and why, stay this request's own."""
        self.document = leader.document
        self.operation_name = leader.operation_name
        self.operation_kind = leader.operation_kind
        self.query_hash = leader.query_hash
        self.prune = leader.prune
        self.masks = leader.masks
        self.calls = leader.calls


def security_state(context: RequestContext) -> RequestSecurity | None:
    state = context.values.get(STATE_KEY)
    return state if isinstance(state, RequestSecurity) else None


class ViewCache:
    """The `SecurityView` of the runtime a request uses, rebuilt when a reload swaps the supergraph."""

    def __init__(self, max_entries: int = 4) -> None:
        self._views: OrderedDict[int, tuple[object, SecurityView]] = OrderedDict()
        self._max = max_entries

    def get(self, runtime: GatewayRuntime) -> SecurityView:
        supergraph = runtime.supergraph
        cached = self._views.get(id(supergraph))
        if cached is not None and cached[0] is supergraph:
            self._views.move_to_end(id(supergraph))
            return cached[1]
        view = SecurityView.from_supergraph_sdl(supergraph.source_sdl)
        self._views[id(supergraph)] = (supergraph, view)
        while len(self._views) > self._max:
            self._views.popitem(last=False)
        return view
