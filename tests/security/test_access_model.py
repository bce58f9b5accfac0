"""The access model is the schema's: every field has a rule, the committed table is the generated one,
and what PUBLIC may select is only what the law makes public (DOMAIN.md §10, §11)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from gateway.security.access_model import access_table, readable_by, uncovered
from gateway.security.jwt_auth import Principal
from gateway.security.masking import DEFAULT_UNMASK_LEVELS
from hub.access_model import ACCESS_MODEL, SUPERGRAPH, render

SDL = SUPERGRAPH.read_text(encoding="utf-8")
#: types whose every field is personal data or case data: never readable by PUBLIC
PRIVATE_TYPES = ("Person", "CaseParty", "PenaltyCase", "Inspection", "SupervisionAlert", "ReviewCampaign",
                 "ReviewFile", "Workforce", "CoerciveMeasure")


def _principal(roles: set[str], scopes: set[str]) -> Principal:
    return Principal("probe", frozenset(roles), None, "445100", frozenset(scopes), None, False, None,
                     datetime.now(UTC))


def _deny(_name: str, _principal: Principal | None) -> bool:
    return False


def test_every_field_of_the_supergraph_has_a_rule() -> None:
    table = access_table(SDL, DEFAULT_UNMASK_LEVELS)
    assert len(table) > 300  # the whole graph, not an empty parse
    assert uncovered(table) == []


def test_a_field_without_a_rule_is_caught() -> None:
    """A new root field reaching the supergraph without an owner's decision fails the check."""
    query = re.search(r"^type Query [^\n]*\{\n", SDL, flags=re.MULTILINE)
    assert query is not None
    leaky = SDL[:query.end()] + "  leak: String @join__field(graph: PERSONNEL)\n" + SDL[query.end():]
    assert uncovered(access_table(leaky, DEFAULT_UNMASK_LEVELS)) == ["Query.leak"]
    guarded = leaky.replace("  leak: String @join__field(graph: PERSONNEL)\n",
                            "  leak: String @join__field(graph: PERSONNEL) @authenticated\n")
    assert uncovered(access_table(guarded, DEFAULT_UNMASK_LEVELS)) == []


def test_the_committed_table_is_the_generated_one() -> None:
    text, missing = render(SDL)
    assert missing == []
    assert ACCESS_MODEL.read_text(encoding="utf-8") == text, "run `hub access-model` and commit"
    checked = subprocess.run([sys.executable, "-m", "hub", "access-model", "--check"], capture_output=True,
                             text=True, timeout=120, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_public_reads_only_public_fields() -> None:
    table = {row.coordinate: row for row in access_table(SDL, DEFAULT_UNMASK_LEVELS)}
    readable = readable_by(SDL, _principal({"PUBLIC"}, {"publicity:read"}), _deny)
    assert readable, "PUBLIC reads the public registers (bodies, officers' certificates, licences)"
    sensitive = [c for c in readable if table[c].form != "clear"]
    assert sensitive == []
    private = [c for c in readable if c.split(".")[0] in PRIVATE_TYPES]
    assert private == []
    roots = {c for c in readable if c.startswith("Query.")}
    assert not {"Query.person", "Query.personByIdNumber", "Query.searchPersons", "Query.penaltyCases",
                "Query.supervisionAlerts"} & roots
    assert not [c for c in readable if c.startswith("Mutation.")]


@pytest.mark.parametrize(("role", "scopes"), [
    ("OFFICER", {"cases:read", "cases:write", "population:read", "personnel:read"}),
    ("SUPERVISOR", {"cases:read", "supervision:read", "supervision:write", "statistics:read"}),
])
def test_a_role_reads_more_than_public_but_no_sensitive_field_in_clear_without_a_bound_purpose(
        role: str, scopes: set[str]) -> None:
    public = set(readable_by(SDL, _principal({"PUBLIC"}, {"publicity:read"}), _deny))
    mine = set(readable_by(SDL, _principal({role}, scopes), _deny))
    assert mine - public, "the role reads more than PUBLIC"
    bound_only = [r.coordinate for r in access_table(SDL, DEFAULT_UNMASK_LEVELS)
                  if any(rule.kind == "policy" and any("purpose:bound" in alt for alt in rule.alternatives)
                         for rule in r.rules)]
    assert not set(bound_only) & mine, "policy purpose:bound fields need a verified purpose, denied here"
