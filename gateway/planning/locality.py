"""Whether a field selected on an interface can be answered by one subgraph for every object it can return."""

from __future__ import annotations

from gateway.supergraph.model import Supergraph


class InterfaceLocality:
    """Answers, per operation, whether every implementation of an interface resolves a field in a subgraph."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.sg = supergraph
        self._found: dict[tuple[str, str, str], bool] = {}

    def every_implementation_local(self, service: str, type_name: str, field_name: str) -> bool:
        """An interface field is local to ``service`` only when every object type the interface can be there
        resolves it there too (always true for object types, and for an @interfaceObject, which has no
        implementations in that subgraph)."""
        key = (service, type_name, field_name)
        found = self._found.get(key)
        if found is None:
            found = self._compute(service, type_name, field_name)
            self._found[key] = found
        return found

    def _compute(self, service: str, type_name: str, field_name: str) -> bool:
        tinfo = self.sg.types[type_name]
        if tinfo.kind != "interface" or service in tinfo.interface_object_in:
            return True
        # FEDERATION_NOTE: an implementation's field can be @override-n away from the subgraph, or be @external
        # there (a Node-style interface whose id only the type's owner can answer): selecting it on the interface
        # would return that subgraph's value for every implementation, so it is planned per concrete type.
        for concrete in self.sg.possible_types_in(service, type_name):
            cinfo = self.sg.field(concrete, field_name)
            if cinfo is not None and service not in cinfo.resolvable_in:
                return False
        return True
