"""The supergraph model of @context / @fromContext (join v0.5 contextArguments, context v0.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.errors import InvalidSupergraph
from gateway.supergraph.loader import load_supergraph

FIXTURES = Path(__file__).parents[1] / "differential" / "fixtures"


def test_context_arguments_and_setters_are_modelled() -> None:
    sg = load_supergraph((FIXTURES / "x_context_abstract" / "supergraph.graphql").read_text(encoding="utf-8"))
    statement = sg.field("Account", "statement")
    assert statement is not None
    [arg] = statement.context_arguments["ledger"]
    assert (arg.name, arg.type, arg.context) == ("to", "String", "ledger__owner")
    assert [s.type_condition.name.value for s in arg.parsed.selections] == ["Company", "Person"]  # type: ignore[attr-defined]
    # a union and an interface set contexts for their possible types
    assert sg.context_setters == {"ledger__owner": frozenset({"Company", "Person"}),
                                  "ledger__unit": frozenset({"Branch", "Kiosk"})}
    # the contextual argument is not the client's
    assert "to" not in sg.api_schema.get_type("Account").fields["statement"].args  # type: ignore[union-attr]


def test_broken_context_argument_is_refused_naming_the_field() -> None:
    sdl = (FIXTURES / "x_context_levels" / "supergraph.graphql").read_text(encoding="utf-8")
    broken = sdl.replace('selection: " { currency }"', 'selection: " { currency "')
    with pytest.raises(InvalidSupergraph) as exc:
        load_supergraph(broken)
    assert "Team.budget" in str(exc.value)
