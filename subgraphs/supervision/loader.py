"""Read cases from the case store a page at a time and build their `CaseView`s with batched facts.

Per page of cases the facts source is asked once for bodies, once for officers and once for
party birth dates, and the store once for the page's coercive measures (never per case). The item catalogue and the regulations index are read once
per sweep from the hub's store (the catalogue is hub-owned data, DOMAIN.md §4.6).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from sqlalchemy import Text, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.catalogue import USABLE
from subgraphs.cases.codec import decode, decode_json
from subgraphs.cases.domain.catalogue import EnforcementItem
from subgraphs.cases.domain.clock import local_date
from subgraphs.cases.domain.coercive import CoerciveMeasure
from subgraphs.cases.domain.enums import EnforcementRoute, PartyType, Procedure
from subgraphs.cases.domain.inspection import Inspection as StoredInspection
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.hot_sql import Statement, driver, placeholders
from subgraphs.cases.items import to_domain_item
from subgraphs.cases.regulations import RegulationIndex, load_index, parse_ref
from subgraphs.cases.rows import CasePartyRow, CaseRow, CatalogueItemRow, InspectionRow, MeasureRow
from subgraphs.supervision.facts import FactsSource, PersonKey
from subgraphs.supervision.view import CaseExtras, CaseView, CashHandling, Execution, Inspection

ItemKey = tuple[str, str]


@dataclass(frozen=True)
class Reference:
    """Hub-owned reference data read once per sweep."""

    items: Mapping[ItemKey, EnforcementItem]
    regulations: RegulationIndex | None = None
    #: answers about basis references worked out once per sweep (cases cite the same few hundred)
    memo: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)


async def load_reference(engine: AsyncEngine) -> Reference:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(CatalogueItemRow.payload)
                                   .where(CatalogueItemRow.status.in_(USABLE)))).scalars().all()
    items = {}
    for payload in rows:
        item = to_domain_item(payload)
        items[(item.code, item.version)] = item
    return Reference(items, await load_index(engine))


def officer_ids(snap: CaseSnapshot) -> set[str]:
    ids = set(snap.investigators)
    for ev in snap.evidence:
        ids.update(ev.collected_by)
    if snap.legal_review is not None and snap.legal_review.reviewer_id:
        ids.add(snap.legal_review.reviewer_id)
    if snap.hearing is not None and snap.hearing.chair_id:
        ids.add(snap.hearing.chair_id)
    return ids


def person_keys(snap: CaseSnapshot) -> list[PersonKey | None]:
    return [(p.id_type, p.id_hash) if p.party_type is PartyType.NATURAL_PERSON and p.id_type and p.id_hash
            else None for p in snap.parties]


def _inapplicable(snap: CaseSnapshot, index: RegulationIndex | None,
                  memo: dict[Any, Any] | None = None) -> frozenset[str]:
    """Basis references to a regulation the 法规库 knows that do not resolve at the violation date
    (`memo`: answers already worked out for the same index)."""
    if snap.decision is None or index is None:
        return frozenset()
    memo = {} if memo is None else memo
    titles = memo.get("titles")
    if titles is None:
        titles = memo["titles"] = index.titles
    out = set()
    start = snap.violation.start
    for ref in snap.decision.basis_refs:
        key = ("inapplicable", ref, start)
        bad = memo.get(key)
        if bad is None:
            parsed = parse_ref(ref)
            bad = memo[key] = parsed is not None and parsed[0] in titles and not index.basis_applicable(ref, start)
        if bad:
            out.add(ref)
    return frozenset(out)


async def build_views(snapshots: Sequence[CaseSnapshot], facts: FactsSource, ref: Reference,
                      extras: Mapping[str, CaseExtras] | None = None) -> list[CaseView]:
    """Views of `snapshots` with three batched fact requests in all."""
    if len(ref.memo) > MEMO_MAX:
        ref.memo.clear()
    bodies = await facts.bodies({s.body_id for s in snapshots})
    acting = [officer_ids(s) for s in snapshots]  # each worked out once, used twice
    persons = [person_keys(s) for s in snapshots]
    officers = await facts.officers(set().union(*acting) if snapshots else set(),
                                    body_hints={s.body_id for s in snapshots})
    keys = {k for ks in persons for k in ks if k is not None}
    births = await facts.birth_dates(keys) if keys else {}
    given = extras or {}
    items, regulations, memo = ref.items, ref.regulations, ref.memo
    views = []
    for s, ids, pkeys in zip(snapshots, acting, persons, strict=True):
        views.append(CaseView(
            snapshot=s,
            item=items.get((s.item_code, s.item_version)),
            body=bodies.get(s.body_id),
            officers={o: officers[o] for o in ids if o in officers},
            party_birth_dates=tuple(births.get(k) if k is not None else None for k in pkeys),
            inapplicable_basis=_inapplicable(s, regulations, memo),
            extras=stored_extras(s, regulations, given.get(s.case_id, _NO_EXTRAS), memo),
        ))
    return views


NORMATIVE_DOCUMENT = "规范性文件"
_NO_EXTRAS = CaseExtras()
#: the bound of a `Reference`'s memo (emptied when full)
MEMO_MAX = 200_000


def stored_extras(snap: CaseSnapshot, index: RegulationIndex | None, given: CaseExtras,
                  memo: dict[Any, Any] | None = None) -> CaseExtras:
    """`given` completed with what the case record itself carries: on-the-spot cash and its hand-over
    (S19/S19b), own-power executions with their instant (S23), the 简易程序备案 (S07b) and basis
    references the 法规库 lists as 规范性文件 (S15). A value the caller gave wins."""
    changes: dict[str, Any] = {}
    payment = snap.payment
    if payment is not None and payment.on_spot:
        if given.cash is None and payment.paid_on is not None:
            changes["cash"] = CashHandling(payment.paid_on, payment.cash_handed_on, payment.cash_banked_on)
        if payment.hard_to_collect and not given.hard_to_collect:
            changes["hard_to_collect"] = True
        if payment.remote_area_request and not given.remote_area_request:
            changes["remote_area_request"] = True
    done = snap.enforcement
    if not given.executions and done is not None and done.route is EnforcementRoute.OWN_POWER \
            and done.executed_at is not None:
        changes["executions"] = (Execution(done.executed_at, emergency=done.urgent),)
    if not given.simple_record_tracked and snap.procedure is Procedure.SIMPLE and snap.decision is not None:
        changes["simple_record_tracked"] = True
        changes["simple_filed_with_agency_on"] = snap.simple_filed_on
    if not given.basis_normative_doc and index is not None and snap.decision is not None:
        memo = {} if memo is None else memo
        normative = tuple(r for r in snap.decision.basis_refs if _level(index, r, memo) == NORMATIVE_DOCUMENT)
        if normative:
            changes["basis_normative_doc"] = normative
    return replace(given, **changes) if changes else given


def _level(index: RegulationIndex, ref: str, memo: dict[Any, Any]) -> str | None:
    key = ("level", ref)
    if key not in memo:
        memo[key] = index.level(ref)
    return memo[key]  # type: ignore[no-any-return]


def _snapshot_text(pg: bool) -> str:
    """The snapshot column as the JSON text it is stored as (PostgreSQL's JSONB cast, so the driver does not
    parse it: the compiled decoder reads the text in one pass)."""
    return "snapshot::text" if pg else "snapshot"


@cache
def _measures_statement(pg: bool) -> Statement:
    """(case id, snapshot as text) of the coercive measures of the cases first <= id <= last."""
    a, b = placeholders(pg, 2)
    return Statement(f"SELECT case_id, {_snapshot_text(pg)} FROM {MeasureRow.__tablename__} WHERE case_id >= {a} "
                     f"AND case_id <= {b} ORDER BY case_id, id", ("first", "last"), (None, None))


async def measure_extras(engine: AsyncEngine, case_ids: Sequence[str],
                         given: Mapping[str, CaseExtras] | None = None, *,
                         key_range: tuple[str, str] | None = None) -> dict[str, CaseExtras]:
    """Each case's `CaseExtras` with its stored coercive measures (one query for all `case_ids`),
    on top of the extras `given` by the caller; a caller's non-empty `measures` win. `key_range`
    (first, last): the ids of `case_ids` are all the cases in that range of keys (a sweep's page),
    so the measures are read by that range (two parameters instead of one per case)."""
    out = dict(given or {})
    if not case_ids:
        return out
    stored: dict[str, list[CoerciveMeasure]] = {}
    if key_range is not None:
        wanted = set(case_ids)
        async with engine.connect() as conn, driver(conn) as drv:
            found = await drv.rows(_measures_statement(drv.pg), {"first": key_range[0], "last": key_range[1]})
        for case_id, text in found:
            if case_id in wanted:
                stored.setdefault(case_id, []).append(decode_json(CoerciveMeasure, text))
    else:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(MeasureRow.case_id, MeasureRow.snapshot)
                                       .where(MeasureRow.case_id.in_(list(case_ids)))
                                       .order_by(MeasureRow.case_id, MeasureRow.id))).all()
        for r in rows:
            stored.setdefault(r.case_id, []).append(decode(CoerciveMeasure, r.snapshot))
    for case_id, measures in stored.items():
        base = out.get(case_id, CaseExtras())
        if not base.measures:
            out[case_id] = replace(base, measures=tuple(measures))
    return out


def to_view_inspection(ins: StoredInspection) -> Inspection | None:
    """The S33 view of a stored inspection: only one that was carried out (has a check time)."""
    if ins.checked_at is None:
        return None
    key = ins.object_uscc or f"name:{ins.object_name}"  # an object without a code is known by its name only
    return Inspection(ins.inspection_id, ins.body_id, key, local_date(ins.checked_at))


async def load_inspections(engine: AsyncEngine, *, page_size: int) -> list[Inspection]:
    """Every inspection carried out, read `page_size` rows at a time (keyset paging)."""
    out: list[Inspection] = []
    after = ""
    for _ in range(10_000_000):  # bounded; ends when a page comes back short
        async with engine.connect() as conn:
            rows = (await conn.execute(select(InspectionRow.id, InspectionRow.snapshot)
                                       .where(InspectionRow.id > after)
                                       .order_by(InspectionRow.id).limit(page_size))).all()
        for r in rows:
            view = to_view_inspection(decode(StoredInspection, r.snapshot))
            if view is not None:
                out.append(view)
        if len(rows) < page_size:
            break
        after = rows[-1].id
    return out


def decode_snapshot(raw: dict[str, Any] | str | bytes) -> CaseSnapshot:
    """A stored snapshot, from its JSON text (one pass of the compiled decoder) or parsed JSON."""
    if isinstance(raw, str | bytes):
        return decode_json(CaseSnapshot, raw)
    return decode(CaseSnapshot, raw)


#: the snapshot column read as the text it is stored as, so it is parsed once, by the compiled decoder
SNAPSHOT_TEXT = type_coerce(CaseRow.snapshot, Text).label("snapshot")


@cache
def _page_statement(pg: bool, bounded: bool) -> Statement:
    """(id, snapshot as text) of the cases with `after` < id (<= `until` when `bounded`), by id, at most
    `limit`. On PostgreSQL the JSON column is cast to text so the driver hands it over unparsed: the
    compiled decoder then reads it in one pass (instead of the driver's JSON parser and a conversion)."""
    marks = iter(placeholders(pg, 3))
    column = _snapshot_text(pg)
    where = f"id > {next(marks)}" + (f" AND id <= {next(marks)}" if bounded else "")
    keys = ("after", "until", "limit") if bounded else ("after", "limit")
    return Statement(f"SELECT id, {column} FROM {CaseRow.__tablename__} WHERE {where} ORDER BY id LIMIT {next(marks)}",
                     keys, (None,) * len(keys))


async def case_pages(engine: AsyncEngine, *, page_size: int, after: str = "", until: str | None = None
                     ) -> AsyncIterator[list[CaseSnapshot]]:
    """Every case (or those with `after` < id <= `until`), `page_size` at a time, by id (keyset paging:
    constant cost per page). The next page's rows are being read while the caller works on this one
    (the database works on another core)."""
    values: dict[str, Any] = {"limit": page_size} if until is None else {"limit": page_size, "until": until}

    async def rows_after(key: str) -> list[Any]:  # (id, snapshot text) rows, straight from the driver
        async with engine.connect() as conn, driver(conn) as drv:
            return await drv.rows(_page_statement(drv.pg, until is not None), {**values, "after": key})

    rows = await rows_after(after)
    for _ in range(10_000_000):  # bounded; ends when a page comes back short
        if not rows:
            return
        ahead = asyncio.ensure_future(rows_after(rows[-1][0])) if len(rows) == page_size else None
        try:
            yield [decode_snapshot(r[1]) for r in rows]
        except BaseException:
            if ahead is not None:
                ahead.cancel()
            raise
        if ahead is None:
            return
        rows = await ahead


async def load_cases(engine: AsyncEngine, case_ids: Sequence[str]) -> list[CaseSnapshot]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(SNAPSHOT_TEXT).where(CaseRow.id.in_(list(case_ids))))).scalars().all()
    return [decode_snapshot(r) for r in rows]


async def shared_party_cases(engine: AsyncEngine) -> set[str]:
    """Ids of the cases whose party appears in another case too (candidates for S17/S18)."""
    out: set[str] = set()
    async with engine.connect() as conn:
        for column in (CasePartyRow.id_number_hash, CasePartyRow.uscc):
            shared = select(column).where(column.is_not(None)).group_by(column) \
                .having(func.count(func.distinct(CasePartyRow.case_id)) > 1).subquery()
            rows = (await conn.execute(select(CasePartyRow.case_id).where(column.in_(select(shared))))).scalars()
            out.update(rows)
    return out


async def sibling_cases(engine: AsyncEngine, case_id: str | Sequence[str]) -> list[str]:
    """Other cases with a party of `case_id` (one id or several)."""
    ids = [case_id] if isinstance(case_id, str) else list(case_id)
    async with engine.connect() as conn:
        mine = (await conn.execute(select(CasePartyRow.id_number_hash, CasePartyRow.uscc)
                                   .where(CasePartyRow.case_id.in_(ids)))).all()
        hashes = [r.id_number_hash for r in mine if r.id_number_hash]
        usccs = [r.uscc for r in mine if r.uscc]
        conds = []
        if hashes:
            conds.append(CasePartyRow.id_number_hash.in_(hashes))
        if usccs:
            conds.append(CasePartyRow.uscc.in_(usccs))
        if not conds:
            return []
        rows = (await conn.execute(select(CasePartyRow.case_id).where(or_(*conds)).distinct())).scalars().all()
    return [r for r in rows if r not in ids]
