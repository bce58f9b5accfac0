"""Random, stratified, reproducible sampling of case files and reviewer assignment with recusal.

The sample depends only on the seed and the cases (sorted by id within each body): the same seed
gives the same sample, another seed another one. Reviewers never review their own body's cases.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence

from subgraphs.supervision.errors import CampaignError


def _rng(seed: int, *scope: str) -> random.Random:
    digest = hashlib.sha256("|".join((str(seed), *scope)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def stratified_sample(cases_by_body: Mapping[str, Sequence[str]], *, per_body: int, seed: int
                      ) -> dict[str, list[str]]:
    """Up to `per_body` case ids from every body, drawn with a generator seeded per body."""
    if per_body < 1:
        raise CampaignError("per_body must be at least 1")
    out: dict[str, list[str]] = {}
    for body in sorted(cases_by_body):
        ids = sorted(cases_by_body[body])
        out[body] = sorted(_rng(seed, body).sample(ids, min(per_body, len(ids))))
    return out


def assign_reviewers(sample: Mapping[str, Sequence[str]], reviewers: Mapping[str, str], *, per_case: int,
                     seed: int) -> dict[str, list[str]]:
    """case id → `per_case` reviewer ids, none from the case's body (recusal), spread by load."""
    if per_case < 2:
        raise CampaignError("a case file needs at least 2 reviewers")
    load = dict.fromkeys(sorted(reviewers), 0)
    out: dict[str, list[str]] = {}
    for body in sorted(sample):
        eligible = [r for r in load if reviewers[r] != body]
        if len(eligible) < per_case:
            raise CampaignError(f"fewer than {per_case} reviewers outside body {body}")
        for case_id in sample[body]:
            rng = _rng(seed, "assign", case_id)
            order = sorted(eligible, key=lambda r: (load[r], rng.random()))
            chosen = sorted(order[:per_case])
            for r in chosen:
                load[r] += 1
            out[case_id] = chosen
    return out
