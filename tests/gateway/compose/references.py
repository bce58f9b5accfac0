"""The two reference composers, and the corpus cases where they disagree with each other.

The differential tests compose every corpus case with `@theguild/federation-composition` ("guild") and
`@apollo/composition` ("apollo"). Where both give the same answer ours must give it too. Where they
differ, `FOLLOWED` names the one `hub compose` follows and why the other differs; the tests check that
they still differ (so the table cannot go stale) and that ours matches the followed one.
"""

from __future__ import annotations

from typing import Any

from tests.gateway.differential.reference import compose_many_with_reference

COMPOSERS = ("guild", "apollo")

FOLLOWED: dict[str, tuple[str, str]] = {
    # -- where ours follows @apollo/composition (the reference of issue 23) ---------------------------------
    "v_gap1_extend_external_composite_key": (
        "apollo", "guild keeps `external: true` on the nested @external key fields of an extension type; apollo "
                  "makes every field the key selects local, as for the top-level ones"),
    "e_gap1_requires_fake_external_key": (
        "apollo", "guild accepts a @requires of a key field of an extension type written @external; apollo "
                  "rejects it (REQUIRES_FIELDS_MISSING_EXTERNAL: the field is resolved locally)"),
    "e_gap4_requires_path_external_leaf_local": (
        "apollo", "guild checks @external on the top-level @requires fields only; apollo on the leaves"),
    "v_gap7_root_union_and_member": (
        "apollo", "guild writes no `type:` joins on root fields; apollo does when the named types differ"),
    "v_gap7_root_interface_and_impl": (
        "apollo", "guild writes no `type:` joins on root fields; apollo does when the named types differ"),
    "v_gap1_fed1_nested_external_key_stays_external": (
        "apollo", "guild drops the nested @external key field of a Federation 1 extension from its subgraph; "
                  "apollo keeps it there as `external: true` (the upgrade un-externals top-level key fields only)"),
    "e_gap4_requires_interface_leaf_local": (
        "apollo", "guild accepts an interface leaf in @requires whose implementation is @external; apollo wants "
                  "@external on the leaf itself (implementations count only for fields on the path)"),
    "v_gap7_root_list_of_members": (
        "apollo", "guild writes no `type:` joins on `Query` fields; apollo does when the named types differ"),
    "v_link_prefix": (
        "apollo", "guild ignores `as:` on the federation @link and rejects `@fed__shareable` (INVALID_GRAPHQL); "
                  "the link spec makes `fed__` the namespace prefix, as apollo reads it"),
    "v_override_label_source_lacks_field": (
        "apollo", "guild rejects a labelled @override whose source subgraph lacks the field (SATISFIABILITY_ERROR "
                  "with the label off); apollo ignores such an @override, as when the source subgraph is absent"),
    # -- where ours follows @theguild/federation-composition ------------------------------------------------
    "v_nullability": (
        "guild", "apollo writes `type:` joins on `Query` fields that differ in nullability only"),
    "v_gap7_root_nullability_only": (
        "guild", "apollo writes `type:` joins on `Query` fields that differ in nullability only"),
    "v_override_label_100_point_0": (
        "guild", 'apollo rejects the label "percent(100.0)" (OVERRIDE_LABEL_INVALID) although it is 100'),
    "v_import_rename": (
        "guild", "apollo rejects the namespaced `@federation__shareable` in a subgraph that imports `@shareable` "
                 "(or renames `@key`): it defines only the imported names then (INVALID_GRAPHQL)"),
    "v_external_type_level": (
        "guild", "apollo applies a type-level @external to the fields of every block of the type (EXTERNAL_UNUSED)"),
    "fixture_w_override_interface_object": (
        "guild", "apollo does not support @override on @interfaceObject fields yet"),
    "fixture_x_context_abstract": (
        "guild", "apollo takes a field's description from its non-@external definitions only; the only "
                 "description of `Company.legalName` is on the @external one"),
}


def compose_all(cases: dict[str, list[tuple[str, str, str]]], composer: str) -> dict[str, dict[str, Any]]:
    """Every case composed by one reference composer, in one Node.js process."""
    names = list(cases)
    return dict(zip(names, compose_many_with_reference([cases[n] for n in names], composer=composer), strict=True))
