"""The catalogue workflow in the graph: draft → legal review → approve/reject → publish, and paging.

A change to an item is always a new version (`draftEnforcementItem` with an existing code drafts
version n+1); no mutation edits a stored version's content. The reviewer must not be the drafter
(CATALOGUE_WORKFLOW otherwise); a step out of order is CATALOGUE_WORKFLOW as well. Every step takes
an `idempotencyKey` (`catalogue_replay`: a retried draft makes no second version); codes, versions
and days are checked first (BAD_USER_INPUT naming the argument).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import orjson
import strawberry
from strawberry.types import Info

from domain import input_checks as chk
from subgraphs.cases.catalogue import (
    ItemStatus,
    Remember,
    approve_item,
    draft_item,
    item_row,
    items_page,
    publish_item,
    submit_for_review,
)
from subgraphs.cases.context import CasesContext
from subgraphs.cases.descriptions import ARGS
from subgraphs.cases.graph_enums import described
from subgraphs.cases.input_rules import InputCheck, check_arguments
from subgraphs.cases.mutations import _idempotency, guarded, require_user
from subgraphs.cases.replay import Target, once
from subgraphs.cases.service import Idempotency
from subgraphs.common.directives import MaxLength
from subgraphs.common.errors import graphql_error
from subgraphs.common.pagination import Page, decode_cursor, encode_cursor, page_size

#: the longest item content (JSON) the gateway lets through to draftEnforcementItem, in characters
ITEM_CONTENT_MAX = 100_000

ItemStatusEnum = described(ItemStatus, "EnforcementItemStatus",
                           "事项状态 — workflow status of a catalogue item version")


@strawberry.type(description="执法事项版本 — one version of an enforcement item of the catalogue.")
class EnforcementItemVersion:
    code: str = strawberry.field(description="事项编码 — the enforcement item's code")
    version: int = strawberry.field(description="版本号 — version number of the item (1, 2, …)")
    name: str = strawberry.field(description="事项名称 — the item's name")
    action_type: str = strawberry.field(description="行为类别 — kind of enforcement action, e.g. PENALTY (行政处罚)")
    domain: str = strawberry.field(description="执法领域 — the enforcement domain the item belongs to")
    status: ItemStatus = strawberry.field(description="状态 — the version's workflow status")
    content: str = strawberry.field(description="事项内容 — the item in the exchange format, as JSON with sorted keys (its SM3 is contentSm3)")
    content_sm3: str = strawberry.field(description="内容哈希 — SM3 hash of content")
    drafted_by: str = strawberry.field(description="起草人 — id of who drafted the version")
    drafted_at: datetime = strawberry.field(description="起草时间 — when it was drafted")
    submitted_at: datetime | None = strawberry.field(description="送审时间 — when it was submitted for legal review")
    reviewed_by: str | None = strawberry.field(description="审核人 — id of the legal reviewer (never the drafter)")
    reviewed_at: datetime | None = strawberry.field(description="审核时间 — when it was reviewed")
    review_opinion: str | None = strawberry.field(description="审核意见 — the reviewer's opinion")
    published_at: datetime | None = strawberry.field(description="发布时间 — when it was published")
    valid_from: date | None = strawberry.field(description="生效日期 — the first day the version applies")
    valid_to: date | None = strawberry.field(description="失效日期 — the last day it applies; null while open-ended")

    @classmethod
    def from_row(cls, r: Any) -> EnforcementItemVersion:
        return cls(code=r.code, version=r.version, name=r.name, action_type=r.action_type, domain=r.domain,
                   status=ItemStatus(r.status), content=orjson.dumps(r.payload, option=orjson.OPT_SORT_KEYS).decode(), content_sm3=r.payload_sm3,
                   drafted_by=r.drafted_by, drafted_at=r.drafted_at, submitted_at=r.submitted_at,
                   reviewed_by=r.reviewed_by, reviewed_at=r.reviewed_at, review_opinion=r.review_opinion,
                   published_at=r.published_at, valid_from=r.valid_from, valid_to=r.valid_to)


_Code = Annotated[str, strawberry.argument(description="事项编码 — the enforcement item's code")]
_Version = Annotated[int, strawberry.argument(description="版本号 — the version of the item")]


def _item_checks(code: str | None, version: int | None = None, valid_from: date | None = None,
                 **texts: str | None) -> None:
    """BAD_USER_INPUT naming the argument: an item code of the catalogue's form, a version ≥ 1, a
    first valid day within the date bounds (`domain.input_checks`), free text without controls."""

    def extra(ctx: InputCheck) -> None:
        if code is not None:
            reason = chk.item_code_problem(code)
            if reason is not None:
                ctx.add("code", "执法事项编码", reason)
        if version is not None and version < 1:
            ctx.add("version", "版本号", "a version number is at least 1")
        if valid_from is not None:
            reason = chk.future_date_problem(valid_from, today=ctx.today)
            if reason is not None:
                ctx.add("validFrom", "生效日期", reason)

    check_arguments(dict(texts), extra=extra)


async def _read(info: Info[CasesContext, None], code: str, version: int) -> EnforcementItemVersion:
    return EnforcementItemVersion.from_row(await guarded(item_row(info.context.res.engine, code, version)))


ITEM = "catalogue_item"  # the kind of record a catalogue key is stored for
_Key = Annotated[str | None, strawberry.argument(description=ARGS["idempotency_key"])]


def _key(key: str | None, op: str, actor: str, **request: Any) -> Idempotency | None:
    """The key bound to this request by this caller."""
    return _idempotency(key, {"op": op, "actor": actor, **request})


async def draft_enforcement_item(info: Info[CasesContext, None], content: Annotated[str, strawberry.argument(
        description="事项内容 — the item as a JSON object of the exchange format (the store numbers the version)",
        directives=[MaxLength(max=ITEM_CONTENT_MAX)])],
                                 idempotency_key: _Key = None) -> EnforcementItemVersion:
    """Draft a new version of an item: `content` is the item as a JSON object of the exchange format."""
    user = require_user(info)
    try:
        payload = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise graphql_error("BAD_USER_INPUT", "content is not JSON") from exc
    if not isinstance(payload, dict):
        raise graphql_error("BAD_USER_INPUT", "content must be a JSON object")
    item_code = payload.get("code")
    check = InputCheck()
    reason = chk.item_code_problem(item_code) if isinstance(item_code, str) else "required, a string"
    if reason is not None:
        check.add("content.code", "执法事项编码", reason)
    check.refuse()
    check_arguments({"idempotencyKey": idempotency_key})
    payload.pop("version", None)  # the store numbers versions
    engine = info.context.res.engine

    async def act(remember: Remember | None) -> Target:
        drafted = await draft_item(engine, payload, actor_id=user.id, remember=remember)
        return {"code": drafted.code, "version": drafted.version}

    done = await guarded(once(engine, _key(idempotency_key, "draftEnforcementItem", user.id, content=payload), ITEM, act))
    return await _read(info, str(done["code"]), int(done["version"]))


async def submit_item_for_legal_review(info: Info[CasesContext, None], code: _Code, version: _Version,
                                       idempotency_key: _Key = None) -> EnforcementItemVersion:
    user = require_user(info)
    _item_checks(code, version, idempotencyKey=idempotency_key)
    engine = info.context.res.engine

    async def act(remember: Remember | None) -> Target:
        await submit_for_review(engine, code, version, remember=remember)
        return {"code": code, "version": version}

    await guarded(once(engine, _key(idempotency_key, "submitItemForLegalReview", user.id, code=code, version=version), ITEM, act))
    return await _read(info, code, version)


async def _review(info: Info[CasesContext, None], code: str, version: int, opinion: str,
                  approve: bool, idempotency_key: str | None) -> EnforcementItemVersion:
    user = require_user(info)
    _item_checks(code, version, opinion=opinion, idempotencyKey=idempotency_key)
    engine = info.context.res.engine

    async def act(remember: Remember | None) -> Target:
        await approve_item(engine, code, version, reviewer_id=user.id, approve=approve, opinion=opinion,
                           remember=remember)
        return {"code": code, "version": version}

    op = "approveEnforcementItem" if approve else "rejectEnforcementItem"
    await guarded(once(engine, _key(idempotency_key, op, user.id, code=code, version=version, opinion=opinion), ITEM, act))
    return await _read(info, code, version)


async def approve_enforcement_item(info: Info[CasesContext, None], code: _Code, version: _Version,
                                   opinion: Annotated[str, strawberry.argument(
                                       description="审核意见 — the reviewer's opinion (optional)")] = "",
                                   idempotency_key: _Key = None) -> EnforcementItemVersion:
    """法制审核 passed: LEGAL_REVIEW → APPROVED (the reviewer must not be the drafter)."""
    return await _review(info, code, version, opinion, True, idempotency_key)


async def reject_enforcement_item(info: Info[CasesContext, None], code: _Code, version: _Version,
                                  opinion: Annotated[str, strawberry.argument(
                                      description="审核意见 — the reasons for rejecting (required)")],
                                  idempotency_key: _Key = None) -> EnforcementItemVersion:
    """法制审核 failed: LEGAL_REVIEW → REJECTED (the reviewer must not be the drafter)."""
    if not opinion.strip():
        raise graphql_error("BAD_USER_INPUT", "a rejection gives its reasons")
    return await _review(info, code, version, opinion, False, idempotency_key)


async def publish_enforcement_item(info: Info[CasesContext, None], code: _Code, version: _Version,
                                   valid_from: Annotated[date | None, strawberry.argument(
                                       description="生效日期 — the first day the version applies (default: today)")]
                                   = None, idempotency_key: _Key = None) -> EnforcementItemVersion:
    """APPROVED → PUBLISHED; the previously published version becomes SUPERSEDED."""
    user = require_user(info)
    _item_checks(code, version, valid_from, idempotencyKey=idempotency_key)
    engine = info.context.res.engine

    async def act(remember: Remember | None) -> Target:
        await publish_item(engine, code, version, valid_from=valid_from, remember=remember)
        return {"code": code, "version": version}

    request = {"code": code, "version": version, "validFrom": valid_from.isoformat() if valid_from else None}
    await guarded(once(engine, _key(idempotency_key, "publishEnforcementItem", user.id, **request), ITEM, act))
    return await _read(info, code, version)


async def enforcement_items(
    info: Info[CasesContext, None],
    status: Annotated[ItemStatus | None, strawberry.argument(description="状态 — only versions of this status")] = None,
    first: Annotated[int | None, strawberry.argument(description="每页条数 — page size, 1–1000 (default 20)")] = None,
    after: Annotated[str | None, strawberry.argument(description="游标 — nextCursor of the previous page")] = None,
) -> Page[EnforcementItemVersion]:
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
        "draftEnforcementItem": strawberry.mutation(
            resolver=draft_enforcement_item, name="draftEnforcementItem",
            description="起草事项 — draft a new version of an item (an existing code drafts version n+1)"),
        "submitItemForLegalReview": strawberry.mutation(
            resolver=submit_item_for_legal_review, name="submitItemForLegalReview",
            description="送法制审核 — submit a draft for legal review: DRAFT → LEGAL_REVIEW"),
        "approveEnforcementItem": strawberry.mutation(
            resolver=approve_enforcement_item, name="approveEnforcementItem",
            description="法制审核通过 — LEGAL_REVIEW → APPROVED (the reviewer must not be the drafter)"),
        "rejectEnforcementItem": strawberry.mutation(
            resolver=reject_enforcement_item, name="rejectEnforcementItem",
            description="法制审核不通过 — LEGAL_REVIEW → REJECTED, with reasons (not by the drafter)"),
        "publishEnforcementItem": strawberry.mutation(
            resolver=publish_enforcement_item, name="publishEnforcementItem",
            description="发布事项 — APPROVED → PUBLISHED; the version published before becomes SUPERSEDED"),
    }
