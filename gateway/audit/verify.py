"""Verify a stored access log: the chain from its pruning checkpoint, then every anchor.

The first problem is reported, naming the record (its seq) and the fault:

* the hash chain (`domain.hashchain.verify_chain`): EDITED, DELETED, REORDERED, BROKEN_LINK,
  MALFORMED -- starting from the latest CHECKPOINT (hash and seq + 1), or from genesis;
* the checkpoint's and every anchor's SM2 signature (BAD_ANCHOR) when its key is known;
* every anchor still matching its entry (ANCHOR_MISMATCH: the records up to it were rewritten and
  re-hashed) and still present (TRUNCATED: records at the end were deleted).

An anchor whose key id is not among `public_keys` is counted as unverified, not as a failure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.hashchain import GENESIS_HASH, ChainFault, verify_anchor, verify_chain
from gateway.audit.store import AnchorKind, StoredAnchor, StoredEntry, latest_checkpoint

__all__ = ["AccessLogReport", "verify_records"]


@dataclass(frozen=True, slots=True)
class AccessLogReport:
    ok: bool
    checked: int
    first_seq: int | None = None
    head_seq: int | None = None
    bad_seq: int | None = None
    fault: ChainFault | None = None
    reason: str = ""
    anchors_verified: int = 0
    anchors_unverified: int = 0

    def __str__(self) -> str:
        if self.ok:
            return (f"access log ok: {self.checked} records (seq {self.first_seq}..{self.head_seq}), "
                    f"{self.anchors_verified} anchors verified, {self.anchors_unverified} unverified")
        return f"access log broken at record seq {self.bad_seq}: {self.fault}: {self.reason}"


def _signature_ok(anchor: StoredAnchor, public_keys: Mapping[str, str]) -> bool | None:
    key = public_keys.get(anchor.anchor.key_id)
    return None if key is None else verify_anchor(anchor.anchor, key)


def verify_records(entries: Sequence[StoredEntry], anchors: Sequence[StoredAnchor],
                   public_keys: Mapping[str, str]) -> AccessLogReport:
    """Check `entries` (in stored order) against the chain rules and the signed anchors."""
    checkpoint = latest_checkpoint(list(anchors))
    start_hash, first_seq = GENESIS_HASH, 1
    verified = unverified = 0
    if checkpoint is not None:
        start_hash, first_seq = checkpoint.anchor.head_hash, checkpoint.anchor.head_seq + 1
        signed = _signature_ok(checkpoint, public_keys)
        if signed is False:
            return AccessLogReport(False, 0, bad_seq=checkpoint.anchor.head_seq, fault=ChainFault.BAD_ANCHOR,
                                   reason="the pruning checkpoint's signature does not verify")
        verified, unverified = (verified + 1, unverified) if signed else (verified, unverified + 1)
    chain = verify_chain([e.entry for e in entries], start_hash=start_hash, first_seq=first_seq)
    if not chain.ok:
        return AccessLogReport(False, chain.checked, first_seq, chain.head_seq, chain.bad_seq, chain.fault,
                               chain.reason, verified, unverified)
    by_seq = {e.entry.seq: e.entry for e in entries}
    for stored in anchors:
        anchor = stored.anchor
        if stored.kind is not AnchorKind.ANCHOR or anchor.head_seq < first_seq:
            continue  # anchors of pruned records were checked when those records were kept
        signed = _signature_ok(stored, public_keys)
        if signed is False:
            return AccessLogReport(False, chain.checked, first_seq, chain.head_seq, anchor.head_seq,
                                   ChainFault.BAD_ANCHOR, "anchor signature does not verify", verified, unverified)
        entry = by_seq.get(anchor.head_seq)
        if entry is None:
            return AccessLogReport(False, chain.checked, first_seq, chain.head_seq, anchor.head_seq,
                                   ChainFault.TRUNCATED, f"anchored record seq {anchor.head_seq} is missing",
                                   verified, unverified)
        if entry.hash != anchor.head_hash:
            return AccessLogReport(False, chain.checked, first_seq, chain.head_seq, anchor.head_seq,
                                   ChainFault.ANCHOR_MISMATCH,
                                   f"records up to seq {anchor.head_seq} were rewritten after they were anchored",
                                   verified, unverified)
        verified, unverified = (verified + 1, unverified) if signed else (verified, unverified + 1)
    return AccessLogReport(True, chain.checked, first_seq if entries else None, chain.head_seq, None, None, "",
                           verified, unverified)
