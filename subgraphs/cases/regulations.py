"""The regulations store (法规库): regulations, time-versioned texts and their articles.

A case's basis is written `《title》第N条…`. It resolves (《行政处罚法》第三十七条, 从旧兼从轻) when
the version of `title` in force on the violation date contains article 第N条, or when a LATER
version marked `lighter_than_previous` contains it. `RegulationIndex` answers that question in
memory for the guards (`RegulationFacts`); `add_regulation` writes a regulation with its versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.sm import sm3_hex
from subgraphs.cases.rows import ArticleRow, RegulationRow, RegulationVersionRow

_REF = re.compile(r"^《(?P<title>[^》]+)》(?P<article>第[^条]+条)")


@dataclass(frozen=True, slots=True)
class VersionSpec:
    label: str
    effective_from: date
    effective_to: date | None = None
    lighter_than_previous: bool = False
    articles: dict[str, str] = field(default_factory=dict)  # 第N条 -> text
    promulgated_at: date | None = None
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class ResolvedBasis:
    title: str
    version_label: str
    article: str
    later_lighter: bool


def parse_ref(ref: str) -> tuple[str, str] | None:
    """`《X》第十条第二款` → ("X", "第十条"); None when it is not a reference to an article."""
    match = _REF.match(ref.strip())
    return (match["title"], match["article"]) if match else None


@dataclass(frozen=True, slots=True)
class _Version:
    label: str
    effective_from: date
    effective_to: date | None
    lighter: bool
    articles: frozenset[str]

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class RegulationIndex:
    """In-memory index of the 法规库 for the guards (`RegulationFacts`)."""

    def __init__(self, versions: dict[str, Sequence[_Version]], levels: dict[str, str] | None = None) -> None:
        self._versions = versions
        self._levels = levels or {}

    @classmethod
    def from_specs(cls, regulations: Iterable[tuple[str, str, Sequence[VersionSpec]]]) -> RegulationIndex:
        """The index of (title, level, versions) as `add_regulation` would store them."""
        versions: dict[str, list[_Version]] = {}
        levels: dict[str, str] = {}
        for title, level, specs in regulations:
            levels[title] = level
            versions[title] = [_Version(v.label, v.effective_from, v.effective_to, v.lighter_than_previous,
                                        frozenset(v.articles)) for v in specs]
        return cls(dict(versions), levels)

    def level(self, ref: str) -> str | None:
        """The level (法律, 行政法规, …, 规范性文件) of the regulation `ref` cites, when the store knows it."""
        parsed = parse_ref(ref)
        return self._levels.get(parsed[0]) if parsed is not None else None

    def resolve(self, ref: str, violation_on: date) -> ResolvedBasis | None:
        parsed = parse_ref(ref)
        if parsed is None:
            return None
        title, article = parsed
        versions = sorted(self._versions.get(title, ()), key=lambda v: v.effective_from)
        for v in versions:
            if v.in_force(violation_on) and article in v.articles:
                return ResolvedBasis(title, v.label, article, later_lighter=False)
        for v in versions:
            if v.effective_from > violation_on and v.lighter and article in v.articles:
                return ResolvedBasis(title, v.label, article, later_lighter=True)
        return None

    def basis_applicable(self, ref: str, violation_on: date) -> bool:
        return self.resolve(ref, violation_on) is not None

    @property
    def titles(self) -> frozenset[str]:
        return frozenset(self._versions)


def _regulation_id(title: str) -> str:
    return "REG-" + sm3_hex(title.encode())[:24]


async def add_regulation(engine: AsyncEngine, *, title: str, level: str, versions: Iterable[VersionSpec],
                         issuer: str | None = None, doc_no: str | None = None) -> str:
    """Insert a regulation with its versions and articles; returns its id."""
    reg_id = _regulation_id(title)
    async with engine.begin() as conn:
        await conn.execute(insert(RegulationRow).values(
            id=reg_id, title=title, level=level, issuer=issuer, doc_no=doc_no, status="有效"))
        for spec in versions:
            version_id = f"{reg_id}-{spec.effective_from.isoformat()}"
            text = "\n".join(f"{k} {v}" for k, v in sorted(spec.articles.items()))
            await conn.execute(insert(RegulationVersionRow).values(
                id=version_id, regulation_id=reg_id, version_label=spec.label, promulgated_at=spec.promulgated_at,
                effective_from=spec.effective_from, effective_to=spec.effective_to,
                lighter_than_previous=spec.lighter_than_previous, source_url=spec.source_url,
                text_sm3=sm3_hex(text.encode())))
            if spec.articles:
                await conn.execute(insert(ArticleRow), [
                    {"version_id": version_id, "number": number, "text": body}
                    for number, body in spec.articles.items()])
    return reg_id


async def load_index(engine: AsyncEngine) -> RegulationIndex:
    async with engine.connect() as conn:
        levels = {r.title: r.level for r in (await conn.execute(select(RegulationRow.title, RegulationRow.level)))}
        version_rows = (await conn.execute(select(
            RegulationRow.title, RegulationVersionRow.id, RegulationVersionRow.version_label,
            RegulationVersionRow.effective_from, RegulationVersionRow.effective_to,
            RegulationVersionRow.lighter_than_previous,
        ).join(RegulationVersionRow, RegulationVersionRow.regulation_id == RegulationRow.id))).all()
        article_rows = (await conn.execute(select(ArticleRow.version_id, ArticleRow.number))).all()
    articles: dict[str, set[str]] = {}
    for version_id, number in article_rows:
        articles.setdefault(version_id, set()).add(number)
    out: dict[str, list[_Version]] = {}
    for r in version_rows:
        out.setdefault(r.title, []).append(_Version(r.version_label, r.effective_from, r.effective_to,
                                                    r.lighter_than_previous, frozenset(articles.get(r.id, ()))))
    return RegulationIndex(dict(out), levels)


def level_of(title: str) -> str:
    """A best guess of a regulation's level from its title, for catalogue imports ([P])."""
    if title.endswith("法") and title.startswith("中华人民共和国"):
        return "法律"
    if title.startswith("广东省") and title.endswith("条例"):
        return "地方性法规"
    if title.endswith(("条例", "实施细则")):
        return "行政法规"
    return "部门规章"
