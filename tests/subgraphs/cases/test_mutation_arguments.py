"""Every mutation of the composed schema takes `expectedVersion` and `idempotencyKey`, or is a
documented exception: the list below, which the README's "Mutations" section shows row for row.
And the catalogue's keys work: a retried draft makes no second version."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import orjson
from graphql import GraphQLObjectType, build_schema

from .store_counts import StoreCounter
from .test_cases_subgraph import ITEM, Client, World, hub  # noqa: F401  (hub is a fixture)

ROOT = Path(__file__).resolve().parents[3]
VERSION, KEY = "expectedVersion", "idempotencyKey"

#: mutation → the arguments it lacks and why (the README gives the same rows)
EXCEPTIONS: dict[str, tuple[frozenset[str], str]] = {
    "approveCoerciveMeasure": (frozenset({VERSION}), "creates a measure"),
    "applyEmergencyMeasure": (frozenset({VERSION}), "creates a measure"),
    "planInspection": (frozenset({VERSION}), "creates an inspection"),
    "draftEnforcementItem": (frozenset({VERSION}), "creates an item version"),
    "submitItemForLegalReview": (frozenset({VERSION}), "status step"),
    "approveEnforcementItem": (frozenset({VERSION}), "status step"),
    "rejectEnforcementItem": (frozenset({VERSION}), "status step"),
    "publishEnforcementItem": (frozenset({VERSION}), "status step"),
    "createReviewCampaign": (frozenset({VERSION}), "creates a campaign"),
    "scoreReviewFile": (frozenset({VERSION}), "a reviewer's own part"),
    "markReviewRectified": (frozenset({VERSION}), "sets a mark"),
    "acknowledgeAlert": (frozenset({VERSION}), "status step"),
    "rectifyAlert": (frozenset({VERSION}), "status step"),
    "dismissAlert": (frozenset({VERSION}), "status step"),
    "uploadFile": (frozenset({VERSION, KEY}), "content-addressed"),
    "startUpload": (frozenset({VERSION, KEY}), "a new session; content-addressed"),
    "uploadPart": (frozenset({VERSION, KEY}), "the offset is the check: a replay is a no-op"),
    "finishUpload": (frozenset({VERSION, KEY}), "finishing twice answers the stored file"),
}


def _mutations() -> dict[str, set[str]]:
    schema = build_schema((ROOT / "schema" / "supergraph.graphql").read_text(encoding="utf-8"))
    mutation = schema.mutation_type
    assert isinstance(mutation, GraphQLObjectType)
    return {name: set(field.args) for name, field in mutation.fields.items()}


def test_every_mutation_takes_both_arguments_or_is_a_documented_exception() -> None:
    mutations = _mutations()
    assert len(mutations) >= 80  # the walk saw the whole Mutation type
    lacking = {name: frozenset({VERSION, KEY} - args) for name, args in mutations.items() if {VERSION, KEY} - args}
    assert lacking == {name: missing for name, (missing, _why) in EXCEPTIONS.items()}


def _readme_rows() -> dict[str, frozenset[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Mutations without `expectedVersion` or `idempotencyKey`", 1)[1].split("\n#", 1)[0]
    rows: dict[str, frozenset[str]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| `(\w+)` \| ([^|]+) \|", line)
        if match:
            rows[match.group(1)] = frozenset(re.findall(r"`(expectedVersion|idempotencyKey)`", match.group(2)))
    return rows


def test_the_readme_lists_exactly_the_exceptions() -> None:
    assert _readme_rows() == {name: missing for name, (missing, _why) in EXCEPTIONS.items()}


ITEMS = """{ enforcementItems(first: 100) { items { code version content } } }"""
DRAFT = """mutation($content: String!, $key: String) {
  draftEnforcementItem(content: $content, idempotencyKey: $key) { code version status } }"""
SUBMIT = """mutation($code: String!, $v: Int!, $key: String) {
  submitItemForLegalReview(code: $code, version: $v, idempotencyKey: $key) { code version status } }"""


async def test_catalogue_keys_replay_the_first_result(hub: tuple[str, World], database_url: str) -> None:  # noqa: F811
    base, world = hub
    async with httpx.AsyncClient(timeout=30) as http:
        c = Client(http, base, {"id": world.officers[0], "body": world.body})
        items = (await c.ok(ITEMS))["enforcementItems"]["items"]
        content = next(i["content"] for i in items if i["code"] == ITEM)
        with StoreCounter(database_url) as store:
            before = store.counts()
            first = (await c.ok(DRAFT, content=content, key="draft-1"))["draftEnforcementItem"]
            again = (await c.ok(DRAFT, content=content, key="draft-1"))["draftEnforcementItem"]
            assert again == first  # the retry is answered with the first version ...
            assert store.counts()["catalogue_item"] == before["catalogue_item"] + 1  # ... and drafts no other
            other = orjson.dumps({**orjson.loads(content), "name": "另一名称"}).decode()
            assert (await c.error(DRAFT, content=other, key="draft-1"))["code"] == "IDEMPOTENCY_KEY_REUSED"
            submitted = (await c.ok(SUBMIT, code=ITEM, v=first["version"], key="submit-1"))["submitItemForLegalReview"]
            assert submitted["status"] == "LEGAL_REVIEW"
            replayed = (await c.ok(SUBMIT, code=ITEM, v=first["version"], key="submit-1"))["submitItemForLegalReview"]
            assert replayed == submitted  # a second submit would be refused (not a DRAFT); the retry is not
            assert (await c.error(SUBMIT, code=ITEM, v=first["version"]))["code"] == "CATALOGUE_WORKFLOW"
