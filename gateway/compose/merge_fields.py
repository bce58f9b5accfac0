"""Merge one field (or input field) across the subgraphs that define it, with its arguments and joins.

FEDERATION_NOTE: a field needs no `@join__field` when every subgraph of its type resolves it with the
same type and no `@external`, `@requires`, `@provides` or `@override`; otherwise each defining subgraph
gets one (with `type:` on all of them when the types differ). A field taken over by `@override` keeps a
`usedOverridden` join in its old subgraph only when that subgraph's keys or field sets still use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphql import GraphQLError, print_ast
from graphql.utilities import strip_ignored_characters

from gateway.compose.contexts import context_arguments, contextual
from gateway.compose.metadata import merge_meta
from gateway.compose.model import SubField, Subgraph
from gateway.compose.naming import subgraphs_phrase
from gateway.compose.supermodel import JoinField, SArg, SField, SType
from gateway.compose.typeref import TypeRef, merge_input, merge_output

if TYPE_CHECKING:
    from gateway.compose.merge import Merger

Source = tuple[Subgraph, SubField]


def _compact(fields: str | None) -> str | None:
    """FEDERATION_NOTE: `@requires`/`@provides` field sets are written without ignored characters
    (`"a{b}"`), as the reference composer does; keys keep the subgraph's spelling."""
    if fields is None:
        return None
    try:
        return strip_ignored_characters(fields)
    except GraphQLError:
        return fields


class FieldMerger:
    def __init__(self, merger: Merger) -> None:
        self.merger = merger
        self.errors = merger.errors

    def _mismatch(self, code: str, what: str, sources: list[tuple[str, TypeRef]], subgraph: str,
                  type_name: str, field: str) -> None:
        first_graph, first_type = sources[0]
        other_graph, other_type = next((g, t) for g, t in sources if str(t) != str(first_type))
        self.errors.add(code, f"Type of {what} is incompatible across subgraphs: it has type \"{first_type}\" in "
                              f'subgraph "{first_graph}" but type "{other_type}" in subgraph "{other_graph}"',
                        subgraph=subgraph, type=type_name, field=field)

    def merge_output_field(self, owner: SType, name: str, sources: list[Source]) -> SField | None:
        resolving = [(s, f) for s, f in sources if not f.external] or sources
        merged: TypeRef | None = resolving[0][1].type
        for _, f in resolving[1:]:
            merged = merge_output(merged, f.type, self.merger.is_subtype) if merged else None
        if merged is None:
            self._mismatch("FIELD_TYPE_MISMATCH", f'field "{owner.name}.{name}"',
                           [(s.name, f.type) for s, f in resolving], resolving[0][0].name, owner.name, name)
            return None
        args = self._merge_args(owner.name, name, resolving)
        meta = merge_meta((f.meta for _, f in sources), repeatable=frozenset())
        result = SField(name, merged, meta, args)
        result.joins = self._joins(owner, sources, merged)
        return result

    def _joins(self, owner: SType, sources: list[Source], merged: TypeRef) -> list[JoinField]:
        type_graphs = set(owner.graphs)
        # FEDERATION_NOTE: a field's subgraphs get `type:` joins when its types differ, root fields included
        # (`Book` here, the union `Media` there: the gateway must not send a subgraph a fragment its type cannot
        # have); like @theguild/federation-composition, not for a nullability difference alone on `Query`.
        types_differ = any(str(f.type) != str(merged) for _, f in sources)
        if types_differ and owner.name == "Query":
            types_differ = any(_nullable(f.type) != _nullable(merged) for _, f in sources)
        special = any(f.external or f.requires or f.provides or f.override or contextual(f) for _, f in sources)
        if not special and not types_differ and {s.name for s, _ in sources} == type_graphs:
            return []
        overridden = {f.override for s, f in sources if f.override and f.override != s.name and not f.override_label}
        # progressive @override: the old subgraph keeps resolving the field until the label is on
        labelled = {f.override: f.override_label for s, f in sources
                    if f.override and f.override != s.name and f.override_label}
        defining = {s.name for s, _ in sources}  # a label is kept only when its source has the field
        joins: list[JoinField] = []
        for sub, f in sources:
            type_text = str(f.type) if types_differ else None
            if sub.name in labelled:
                provides = f.provides if self.merger.kind_of(f.type.named) == "union" else _compact(f.provides)
                used = not f.external and (owner.name, f.name) in self.merger.referenced.get(sub.name, set())
                joins.append(JoinField(sub.name, requires=_compact(f.requires), provides=provides, type=type_text,
                                       external=f.external, override_label=labelled[sub.name],
                                       used_overridden=used))
                continue
            # FEDERATION_NOTE: like the reference composer, an overridden field its old subgraph marks
            # @external is neither used nor unused there: it keeps its plain `external: true` join.
            if sub.name in overridden and not f.external:
                if (owner.name, f.name) in self.merger.referenced.get(sub.name, set()):
                    joins.append(JoinField(sub.name, type=type_text, used_overridden=True,
                                           external=f.external))
                elif _interface_object_in(sub, owner.name):
                    # FEDERATION_NOTE: like the reference composer, a field taken over from an @interfaceObject
                    # keeps a plain join in its old subgraph; the `override:` of the new one still moves it
                    # (the gateway reads the override, not only the list of joins).
                    joins.append(JoinField(sub.name, type=type_text, external=f.external))
                continue
            provides = f.provides if self.merger.kind_of(f.type.named) == "union" else _compact(f.provides)
            joins.append(JoinField(sub.name, requires=_compact(f.requires), provides=provides,
                                   type=type_text, external=f.external, override=f.override,
                                   override_label=f.override_label if f.override in defining else None,
                                   context_arguments=context_arguments(sub.name, f)))
        return joins

    def _merge_args(self, type_name: str, field: str, sources: list[Source]) -> dict[str, SArg]:
        order: list[str] = []
        for _, f in sources:
            for a, sub_arg in f.args.items():
                # FEDERATION_NOTE: an argument filled from a context is the gateway's, not the client's
                if a not in order and sub_arg.from_context is None:
                    order.append(a)
        result: dict[str, SArg] = {}
        for arg in order:
            having = [(s, f.args[arg]) for s, f in sources if arg in f.args]
            missing = [s.name for s, f in sources if arg not in f.args]
            coordinate = f'"{type_name}.{field}({arg}:)"'
            if missing:
                required = [s.name for s, a in having if a.type.non_null and a.default is None]
                if required:
                    self.errors.add(
                        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                        f"Argument {coordinate} is required in some subgraphs but does not appear in all "
                        f"subgraphs: it is required in {subgraphs_phrase(required)} but does not appear in "
                        f"{subgraphs_phrase(missing)}", subgraph=missing[0], type=type_name, field=field)
                continue
            merged: TypeRef | None = having[0][1].type
            for _, other in having[1:]:
                merged = merge_input(merged, other.type) if merged else None
            if merged is None:
                self._mismatch("FIELD_ARGUMENT_TYPE_MISMATCH", f"argument {coordinate}",
                               [(s.name, a.type) for s, a in having], having[0][0].name, type_name, field)
                continue
            defaults = [(s.name, print_ast(a.default) if a.default is not None else None) for s, a in having]
            if len({d for _, d in defaults}) > 1:
                self._default_mismatch("FIELD_ARGUMENT_DEFAULT_MISMATCH", f"Argument {coordinate}", defaults,
                                       type_name, field)
                continue
            result[arg] = SArg(arg, merged, having[0][1].default, merge_meta(a.meta for _, a in having))
        return result

    def _default_mismatch(self, code: str, what: str, defaults: list[tuple[str, str | None]], type_name: str,
                          field: str) -> None:
        def say(value: str | None) -> str:
            return f"default value {value}" if value is not None else "no default value"

        (g1, d1) = defaults[0]
        g2, d2 = next((g, d) for g, d in defaults if d != d1)
        self.errors.add(code, f"{what} has incompatible default values across subgraphs: it has {say(d1)} in "
                              f'subgraph "{g1}" but {say(d2)} in subgraph "{g2}"',
                        subgraph=g2, type=type_name, field=field)

    def merge_input_field(self, owner: SType, name: str, sources: list[Source]) -> SField | None:
        merged: TypeRef | None = sources[0][1].type
        for _, f in sources[1:]:
            merged = merge_input(merged, f.type) if merged else None
        if merged is None:
            self._mismatch("FIELD_TYPE_MISMATCH", f'field "{owner.name}.{name}"',
                           [(s.name, f.type) for s, f in sources], sources[0][0].name, owner.name, name)
            return None
        defaults = [(s.name, print_ast(f.default) if f.default is not None else None) for s, f in sources]
        if len({d for _, d in defaults}) > 1:
            self._default_mismatch("INPUT_FIELD_DEFAULT_MISMATCH", f'Input field "{owner.name}.{name}"', defaults,
                                   owner.name, name)
            return None
        result = SField(name, merged, merge_meta(f.meta for _, f in sources), default=sources[0][1].default)
        if any(str(f.type) != str(merged) for _, f in sources):
            result.joins = [JoinField(s.name, type=str(f.type)) for s, f in sources]
        return result


def _nullable(ref: TypeRef) -> str:
    """The type with every non-null marker dropped (`[Int!]!` -> `[Int]`)."""
    return str(ref).replace("!", "")


def _interface_object_in(sub: Subgraph, type_name: str) -> bool:
    t = sub.types.get(type_name)
    return t is not None and t.interface_object
