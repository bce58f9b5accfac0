"""The access model of a supergraph, as a table: for every field, who owns it, who may read it, in what form.

Read from the composed supergraph alone (the same `SecurityView` the gateway enforces), so the table
cannot drift from what runs:

* **owner** -- the subgraphs that resolve the field (the department whose system and law hold it);
* **rule** -- every ``@authenticated`` / ``@requiresScopes`` / ``@policy`` a selection of the field
  must satisfy: on the field, on its parent type, on its return type (`AuthorizationRules.rules_for`);
* **form** -- ``clear``, or for ``@sensitive`` fields the level and mask kind and the roles that read
  it in clear (with a stated purpose; in production bound to a verified record); ``withheld`` masks
  answer null.

`uncovered` lists the fields no rule guards: the build fails on any (a test checks it), so a new field
cannot reach production without a decision about who may read it. `public_fields` lists what a given
principal (e.g. the PUBLIC role) may read, for the test that PUBLIC sees only what the law makes public.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from graphql import GraphQLInterfaceType, GraphQLObjectType, get_named_type

from gateway.security.directives import AuthContext, PolicyEvaluator, Rule
from gateway.security.jwt_auth import Principal
from gateway.security.view import SecurityView
from gateway.supergraph.loader import load_supergraph

__all__ = ["FieldAccess", "access_table", "readable_by", "render_markdown", "uncovered"]

_FEDERATION_TYPES = frozenset({"_Service", "_Entity", "_Any"})


@dataclass(frozen=True, slots=True)
class FieldAccess:
    coordinate: str
    owners: tuple[str, ...]
    rules: tuple[Rule, ...]
    form: str

    @property
    def rule_text(self) -> str:
        if not self.rules:
            return "(none)"
        seen: list[str] = []
        for rule in self.rules:
            text = _short(rule)
            if text not in seen:
                seen.append(text)
        return " AND ".join(seen)


def _short(rule: Rule) -> str:
    if rule.kind == "authenticated":
        return "signed in"
    options = " OR ".join(" + ".join(sorted(alt)) for alt in rule.alternatives)
    return f"scope {options}" if rule.kind == "requiresScopes" else f"policy {options}"


def _fields(view: SecurityView) -> Iterator[tuple[GraphQLObjectType | GraphQLInterfaceType, str]]:
    for name in sorted(view.schema.type_map):
        named = view.schema.type_map[name]
        if name.startswith("__") or name in _FEDERATION_TYPES:
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name in sorted(named.fields):
                if not field_name.startswith("_"):
                    yield named, field_name


def _form(view: SecurityView, type_name: str, field_name: str, unmask: Mapping[str, frozenset[str]]) -> str:
    mark = view.sensitive.get((type_name, field_name))
    if mark is None or not mark.protected:
        return "clear"
    readers = sorted(role for role, levels in unmask.items() if mark.level in levels)
    shown = "null" if mark.mask == "WITHHELD" else f"mask {mark.mask}"
    who = ", ".join(readers) if readers else "nobody"
    return f"{mark.level}: {shown}; clear for {who} with a bound purpose"


def access_table(supergraph_sdl: str, unmask: Mapping[str, frozenset[str]]) -> list[FieldAccess]:
    """Every field of the supergraph's API schema with its owners, rules and form."""
    view = SecurityView.from_supergraph_sdl(supergraph_sdl)
    model = load_supergraph(supergraph_sdl)
    out: list[FieldAccess] = []
    for parent, field_name in _fields(view):
        rules = tuple(view.rules.rules_for(parent, field_name, view.rules.possible_types(parent)))
        info = model.field(parent.name, field_name)
        owners = tuple(sorted(info.resolvable_in)) if info is not None else ()
        out.append(FieldAccess(f"{parent.name}.{field_name}", owners, rules,
                               _form(view, parent.name, field_name, unmask)))
    return out


def uncovered(table: list[FieldAccess]) -> list[str]:
    """Coordinates no authorization rule guards (must be empty)."""
    return [row.coordinate for row in table if not row.rules]


def readable_by(supergraph_sdl: str, principal: Principal, policy: PolicyEvaluator) -> list[str]:
    """Coordinates whose every rule `principal` satisfies (what that caller may select)."""
    view = SecurityView.from_supergraph_sdl(supergraph_sdl)
    context = AuthContext(principal, policy=policy)
    readable: list[str] = []
    for parent, field_name in _fields(view):
        rules = view.rules.rules_for(parent, field_name, view.rules.possible_types(parent))
        returned = get_named_type(parent.fields[field_name].type).name
        if all(context.satisfies(rule) for rule in rules) and returned not in _FEDERATION_TYPES:
            readable.append(f"{parent.name}.{field_name}")
    return readable


def render_markdown(table: list[FieldAccess], *, title: str, preamble: str) -> str:
    lines = [f"# {title}", "", preamble.strip(), "", "| field | owner | who may read | form |", "|---|---|---|---|"]
    for row in table:
        lines.append(f"| `{row.coordinate}` | {', '.join(row.owners) or '-'} | {row.rule_text} | {row.form} |")
    return "\n".join(lines) + "\n"
