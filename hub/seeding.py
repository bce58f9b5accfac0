"""`hub seed` cases: the ground-truth case set written into the hub's store.

After the generator has written its files, `seed_store` builds cases over them with a known set of
injected supervision violations (`subgraphs.cases.ground_truth`), writes them through the cases
subgraph's store (event chains intact, so `hub audit verify` passes), stores the coercive measures
and inspections they need, remembers the ID numbers of the natural-person parties in the
pseudonym vault (as the cases subgraph does when a case is registered with a raw number, so the
population subgraph can answer for them through the gateway), and writes `ground_truth.json` next
to the generated files.

The store must hold no cases yet: the seeded ids and the ground truth describe the whole store.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.settings import Settings
from subgraphs.cases.ground_truth import (
    AS_OF,
    GROUND_TRUTH,
    World,
    build_dataset,
    entry_snapshot,
    load_world,
    store_measures,
    write_cases,
    write_ground_truth,
)
from subgraphs.cases.rows import CaseRow
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PseudonymVault

#: cases seeded per data-set size when `--cases` is not given
DEFAULT_CASES = {"small": 200, "medium": 2_000, "large": 20_000}


class StoreNotEmpty(Exception):
    """The store already holds cases: seeding would mix them with the ground truth."""


@dataclass(frozen=True)
class SeededCases:
    cases: int
    alerts: int
    rules: int
    near_misses: int
    vault_entries: int
    ground_truth: Path


async def require_empty_store(url: str) -> None:
    """Raise `StoreNotEmpty` when the store at `url` already holds cases (a missing store is empty)."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            existing = (await conn.execute(select(func.count()).select_from(CaseRow))).scalar_one()
    finally:
        await engine.dispose()
    if existing:
        raise StoreNotEmpty(
            f"the store already holds {existing:,} cases; seed cases into an empty store (pass --store with a "
            "new database URL, or remove the old store) or pass --cases 0 to write the files only")


async def seed_store(url: str, seed_dir: Path, *, count: int, seed: int, secret: bytes,
                     say: Callable[[str], None] = lambda _m: None) -> SeededCases:
    """Seed `count` ground-truth cases into the (empty) store at `url`; see the module docstring."""
    await require_empty_store(url)
    engine = create_engine(url)
    try:
        say(f"building {count:,} cases with injected violations (seed {seed}) ...")
        world = load_world(seed_dir, secret)
        entries, truth = build_dataset(world, seed=seed, count=count, as_of=AS_OF)
        say(f"writing {len(entries):,} cases with their event chains ...")
        written = await write_cases(url, entries, world, seed_dir,
                                    progress=lambda n: say(f"  {n:,} / {len(entries):,} cases written"))
        snapshots = [entry_snapshot(e) for e in entries]
        await store_measures(url, world, snapshots, truth)
        wanted = {p.id_hash for s in snapshots for p in s.parties if p.id_hash}
        remembered = await _remember_parties(engine, seed_dir, world, secret, wanted)
    finally:
        await engine.dispose()
    write_ground_truth(seed_dir, truth)
    return SeededCases(written, len(truth.alerts), len({a["rule"] for a in truth.alerts}), len(truth.near_misses),
                       remembered, seed_dir / GROUND_TRUTH)


async def _remember_parties(engine: AsyncEngine, seed_dir: Path, world: World, secret: bytes,
                            wanted: set[str]) -> int:
    """Put the ID numbers of the parties in `wanted` (by hash) into the pseudonym vault. The world
    hashed persons.jsonl in file order: the rows are matched by position, not hashed again."""
    pairs: list[tuple[str, str]] = []
    with (seed_dir / "persons.jsonl").open(encoding="utf-8") as fh:
        rows = (json.loads(line) for line in fh if line.strip())
        for (party, _birth), row in zip(world.persons, rows, strict=True):
            if party.id_hash in wanted:
                pairs.append((row["id_type"], row["id_number"]))
    if pairs:
        await PseudonymVault(engine, secret).remember(pairs, source="seed")
    return len(pairs)


def ensure_sqlite_directory(url: str) -> None:
    """Create the directory of a SQLite store file (seeding creates the store; a fresh checkout has
    no data directory yet). Other databases, and in-memory SQLite, are left alone."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)



def seed_command(settings: Settings, *, size: str, seed: int, out: Path, count: int, url: str, progress: bool,
                 say: Callable[[str], None], note: Callable[[str], None]) -> SeededCases | None:
    """What `hub seed` does: check the store is empty (before writing anything), generate the files into
    `out`, then seed `count` ground-truth cases into the store at `url` (none when `count` is 0)."""
    import asyncio

    from simulators.datagen.generator import generate

    if count:
        ensure_sqlite_directory(url)
        asyncio.run(require_empty_store(url))
    manifest = generate(size=size, seed=seed, out=out, progress=progress)
    counts = ", ".join(f"{k} {v:,}" for k, v in manifest["counts"].items())
    say(f"wrote {out}: {counts}")
    if count == 0:
        return None
    seeded = asyncio.run(seed_store(url, out, count=count, seed=seed, secret=settings.id_hash_secret.encode(),
                                    say=note))
    say(f"seeded {seeded.cases:,} cases into the store: {seeded.alerts} injected violations over "
        f"{seeded.rules} rules, {seeded.near_misses} near misses; {seeded.vault_entries} party ID numbers "
        f"in the pseudonym vault; wrote {seeded.ground_truth}")
    return seeded
