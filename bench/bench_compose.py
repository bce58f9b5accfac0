"""Composition benchmark: a generated corpus of 50 subgraphs of 100 types each (entities keyed by `id`,
each shared by neighbouring subgraphs), composed by `gateway.compose` and by both reference composers
(@theguild/federation-composition and @apollo/composition) in the same run. Prints each time, in process
(the composition call alone) and for the whole Node.js process, and the ratios; exits non-zero when ours
takes 5 s or more, or when a reference composer's supergraph differs from ours.

    python bench/bench_compose.py [--subgraphs 50] [--types 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.compose import SubgraphSource, compose  # noqa: E402

BUDGET_S = 5.0
HEADER = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])\n'


def generate(subgraphs: int, types: int) -> list[SubgraphSource]:
    """Subgraph `s` defines a root type and `types - 1` entities E{j} from a window starting at s*stride:
    neighbours overlap, every entity has `@key(fields: "id")`, a field of its own per subgraph and a
    shareable `tag`. The graph is kept shallow (Query -> Root{s} -> E{j}): the reference composer
    recurses on depth."""
    stride = max(1, types * 2 // 5)
    universe = stride * subgraphs + types
    sources = []
    for s in range(subgraphs):
        window = [(s * stride + k) % universe for k in range(types - 1)]
        lines = [HEADER, f"type Query {{ root{s}: Root{s} }}",
                 f"type Root{s} {{ " + " ".join(f"e{j}: E{j}" for j in window) + " }"]
        lines.extend(f'type E{j} @key(fields: "id") {{ id: ID! s{s}v{j}: Int tag: String @shareable }}'
                     for j in window)
        sources.append(SubgraphSource(f"sub{s:02d}", f"http://127.0.0.1:{5000 + s}/graphql", "\n".join(lines)))
    return sources


def time_ours(sources: list[SubgraphSource], repeat: int) -> tuple[float, str]:
    best, sdl = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        result = compose(sources)
        best = min(best, time.perf_counter() - start)
        if result.supergraph_sdl is None:
            raise SystemExit("our composer rejected the corpus: " + "; ".join(e.describe() for e in result.errors[:5]))
        sdl = result.supergraph_sdl
    return best, sdl


REFERENCES = {"guild": "@theguild/federation-composition", "apollo": "@apollo/composition"}


def time_reference(sources: list[SubgraphSource], repeat: int, composer: str) -> tuple[float, float, str] | None:
    """(best in-process seconds, best whole-process seconds, supergraph) of one reference composer."""
    try:
        from bench.support.nodeenv import ensure_node_modules

        folder = ensure_node_modules()
    except (SystemExit, subprocess.CalledProcessError, OSError) as exc:
        print(f"reference composer unavailable: {exc}")
        return None
    payload = json.dumps([{"name": s.name, "url": s.url, "sdl": s.sdl} for s in sources])
    best_in, best_process, sdl = float("inf"), float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(["node", str(folder / "compose.mjs"), composer], input=payload, capture_output=True,
                              text=True, timeout=300, check=False)
        if done.returncode != 0:
            print(f"{REFERENCES[composer]} failed ({done.returncode}): {done.stderr[-400:]}")
            return None
        best_process = min(best_process, time.perf_counter() - start)
        answer = json.loads(done.stdout)
        if "supergraph" not in answer:
            raise SystemExit(f"{REFERENCES[composer]} rejected the corpus: {answer.get('errors', [])[:3]}")
        best_in = min(best_in, answer["ms"] / 1000)
        sdl = answer["supergraph"]
    return best_in, best_process, sdl


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subgraphs", type=int, default=50)
    parser.add_argument("--types", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sources = generate(args.subgraphs, args.types)
    ours_s, ours_sdl = time_ours(sources, args.repeat)
    print(f"corpus: {args.subgraphs} subgraphs x {args.types} types; supergraph {len(ours_sdl):,} bytes; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"gateway.compose: {ours_s:.3f} s (best of {args.repeat}; budget {BUDGET_S:.1f} s)")
    status = 0 if ours_s < BUDGET_S else 1
    sys.path.insert(0, str(ROOT))
    from tests.gateway.compose.normalize import normalise

    for composer, label in REFERENCES.items():
        reference = time_reference(sources, args.repeat, composer)
        if reference is None:
            continue
        in_process, process, ref_sdl = reference
        same = normalise(ours_sdl) == normalise(ref_sdl)
        print(f"{label}: {in_process:.3f} s in process, {process:.3f} s with node start-up; "
              f"ratio ours/reference {ours_s / in_process:.2f} in process, {ours_s / process:.2f} with start-up; "
              f"supergraphs equal after normalisation: {same}")
        status = status or (0 if same else 1)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
