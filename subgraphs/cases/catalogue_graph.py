"""The catalogue workflow in the graph: draft → legal review → approve/reject → publish, and paging.

A change to an item is always a new version (`draftEnforcementItem` with an existing code drafts
version n+1); no mutation edits a stored version's content. The reviewer must not be the drafter
(CATALOGUE_WORKFLOW otherwise); a step out of order is CATALOGUE_WORKFLOW as well.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson
import strawberry
from strawberry.types import Info

from subgraphs.cases.catalogue import (
    ItemStatus,
    approve_item,
    draft_item,
    item_row,
    items_page,
    publish_item,
    submit_for_review,
)
from subgraphs.cases.context import CasesContext
from subgraphs.cases.mutations import guarded, require_user
from subgraphs.common.errors import graphql_error
from subgraphs.common.pagination import Page, decode_cursor, encode_cursor, page_size

ItemStatusEnum = strawberry.enum(ItemStatus, name="EnforcementItemStatus",
                                 description="Workflow status of a catalogue item version")


@strawberry.type(description="One version of an enforcement item (执法事项) of the catalogue.")
class EnforcementItemVersion:
    code: str
    version: int
    name: str
    action_type: str
    domain: str
    status: ItemStatus
    content: str = strawberry.field(description="the item in the exchange format, as JSON with sorted keys (its SM3 is contentSm3)")
    content_sm3: str
    drafted_by: str
    drafted_at: datetime
    submitted_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_opinion: str | None
    published_at: datetime | None
    valid_from: date | None
    valid_to: date | None

    @classmethod
    def from_row(cls, r: Any) -> EnforcementItemVersion:
        return cls(code=r.code, version=r.version, name=r.name, action_type=r.action_type, domain=r.domain,
                   status=ItemStatus(r.status), content=orjson.dumps(r.payload, option=orjson.OPT_SORT_KEYS).decode(), content_sm3=r.payload_sm3,
                   drafted_by=r.drafted_by, drafted_at=r.drafted_at, submitted_at=r.submitted_at,
                   reviewed_by=r.reviewed_by, reviewed_at=r.reviewed_at, review_opinion=r.review_opinion,
                   published_at=r.published_at, valid_from=r.valid_from, valid_to=r.valid_to)


async def _read(info: Info[CasesContext, None], code: str, version: int) -> EnforcementItemVersion:
    return EnforcementItemVersion.from_row(await guarded(item_row(info.context.res.engine, code, version)))


async def draft_enforcement_item(info: Info[CasesContext, None], content: str) -> EnforcementItemVersion:
    """Draft a new version of an item: `content` is the item as a JSON object of the exchange format."""
    user = require_user(info)
    try:
        payload = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise graphql_error("BAD_USER_INPUT", "content is not JSON") from exc
    if not isinstance(payload, dict):
        raise graphql_error("BAD_USER_INPUT", "content must be a JSON object")
    payload.pop("version", None)  # the store numbers versions
    drafted = await guarded(draft_item(info.context.res.engine, payload, actor_id=user.id))
    return await _read(info, drafted.code, drafted.version)


async def submit_item_for_legal_review(info: Info[CasesContext, None], code: str,
                                       version: int) -> EnforcementItemVersion:
    require_user(info)
    await guarded(submit_for_review(info.context.res.engine, code, version))
    return await _read(info, code, version)


async def _review(info: Info[CasesContext, None], code: str, version: int, opinion: str,
                  approve: bool) -> EnforcementItemVersion:
    user = require_user(info)
    await guarded(approve_item(info.context.res.engine, code, version, reviewer_id=user.id, approve=approve,
                               opinion=opinion))
    return await _read(info, code, version)


async def approve_enforcement_item(info: Info[CasesContext, None], code: str, version: int,
                                   opinion: str = "") -> EnforcementItemVersion:
    """法制审核 passed: LEGAL_REVIEW → APPROVED (the reviewer must not be the drafter)."""
    return await _review(info, code, version, opinion, True)


async def reject_enforcement_item(info: Info[CasesContext, None], code: str, version: int,
                                  opinion: str) -> EnforcementItemVersion:
    """法制审核 failed: LEGAL_REVIEW → REJECTED (the reviewer must not be the drafter)."""
    if not opinion.strip():
        raise graphql_error("BAD_USER_INPUT", "a rejection gives its reasons")
    return await _review(info, code, version, opinion, False)


async def publish_enforcement_item(info: Info[CasesContext, None], code: str, version: int,
                                   valid_from: date | None = None) -> EnforcementItemVersion:
    """APPROVED → PUBLISHED; the previously published version becomes SUPERSEDED."""
    require_user(info)
    await guarded(publish_item(info.context.res.engine, code, version, valid_from=valid_from))
    return await _read(info, code, version)


async def enforcement_items(info: Info[CasesContext, None], status: ItemStatus | None = None,
                            first: int | None = None, after: str | None = None) -> Page[EnforcementItemVersion]:
    """Catalogue versions in (code, version) order, optionally of one status, with cursor paging."""
    size = page_size(first)
    position = None
    if after is not None:
        raw = decode_cursor(after)
        code, version = raw.get("c"), raw.get("v")
        if not isinstance(code, str) or not isinstance(version, int):
            raise graphql_error("BAD_USER_INPUT", "invalid cursor")
        position = (code, version)
    rows = await items_page(info.context.res.engine, status, after=position, limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    cursor = encode_cursor({"c": rows[-1].code, "v": rows[-1].version}) if more and rows else None
    return Page(items=[EnforcementItemVersion.from_row(r) for r in rows], next_cursor=cursor)


def catalogue_mutations() -> dict[str, Any]:
    return {
        "draftEnforcementItem": strawberry.mutation(resolver=draft_enforcement_item, name="draftEnforcementItem"),
        "submitItemForLegalReview": strawberry.mutation(resolver=submit_item_for_legal_review,
                                                        name="submitItemForLegalReview"),
        "approveEnforcementItem": strawberry.mutation(resolver=approve_enforcement_item,
                                                      name="approveEnforcementItem"),
        "rejectEnforcementItem": strawberry.mutation(resolver=reject_enforcement_item, name="rejectEnforcementItem"),
        "publishEnforcementItem": strawberry.mutation(resolver=publish_enforcement_item,
                                                      name="publishEnforcementItem"),
    }
