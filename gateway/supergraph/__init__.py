"""Supergraph stage: parse the supergraph SDL into a typed model and build the client-facing API schema."""

from __future__ import annotations

from gateway.supergraph.loader import load_supergraph
from gateway.supergraph.model import FieldInfo, FieldJoin, KeyInfo, Subgraph, Supergraph, TypeInfo

__all__ = ["FieldInfo", "FieldJoin", "KeyInfo", "Subgraph", "Supergraph", "TypeInfo", "load_supergraph"]
