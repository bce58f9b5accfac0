"""The run's figures from its samples: requests served, error codes by kind, latency, 5xx split into
documented and undocumented, the fault windows, the invariants' verdicts — printed and as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.faults.invariants import Verdict
from bench.faults.load import Sample

#: 5xx answers the gateway documents (gateway/security/errors.py, gateway/app.py): 503 with one of these
#: codes says a dependency is away and the client may retry. Any other 5xx is undocumented.
DOCUMENTED_5XX = {503: frozenset({"AUDIT_UNAVAILABLE", "IDP_UNAVAILABLE", "SUPERGRAPH_NOT_LOADED"})}


@dataclass(frozen=True)
class Window:
    name: str
    start: float
    end: float
    detail: str


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _latency(samples: list[Sample]) -> dict[str, float]:
    ms = [s.latency_s * 1000 for s in samples]
    return {"n": len(ms), "p50_ms": round(percentile(ms, 0.50), 1), "p99_ms": round(percentile(ms, 0.99), 1)}


def documented_5xx(sample: Sample) -> bool:
    allowed = DOCUMENTED_5XX.get(sample.status)
    return allowed is not None and bool(sample.codes) and set(sample.codes) <= allowed


def build(samples: list[Sample], windows: list[Window], verdicts: list[Verdict], *, duration_s: float,
          warmup_s: float, extra: dict[str, Any]) -> dict[str, Any]:
    cut = [s for s in samples if s.kind.startswith("cut:")]  # the client cut these off on purpose
    samples = [s for s in samples if not s.kind.startswith("cut:")]
    answered = [s for s in samples if s.status]
    by_group = Counter(s.kind.split(":", 1)[0] for s in samples)
    ok = Counter(s.kind.split(":", 1)[0] for s in samples if s.ok)
    codes = Counter(c for s in samples for c in s.codes)
    statuses = Counter(str(s.status) for s in answered)
    transport = Counter(s.transport for s in samples if not s.status)
    five = [s for s in answered if s.status >= 500]
    undocumented = [s for s in five if not documented_5xx(s)]
    warm = [s for s in samples if s.phase == "warmup"]
    loaded = [s for s in samples if s.phase != "warmup"]
    reference, under = _latency(warm), _latency(loaded)
    per_window = {}
    for w in windows:
        inside = [s for s in samples if w.start <= s.at < w.end]
        per_window[w.name] = {"start_s": round(w.start, 1), "end_s": round(w.end, 1), "detail": w.detail,
                              "requests": len(inside), "ok": sum(s.ok for s in inside),
                              "codes": dict(Counter(c for s in inside for c in s.codes).most_common(8)),
                              "no_answer": sum(not s.status for s in inside), **_latency(inside)}
    kinds = {k: {"requests": n, "ok": ok[k]} for k, n in sorted(by_group.items())}
    return {
        "duration_s": round(duration_s, 1), "warmup_s": round(warmup_s, 1),
        "requests": len(samples), "answered": len(answered), "ok": sum(s.ok for s in samples),
        "requests_per_s": round(len(samples) / duration_s, 1) if duration_s else 0.0, "by_kind": kinds,
        "error_codes": dict(codes.most_common()), "http_status": dict(sorted(statuses.items())),
        "no_http_answer": dict(transport.most_common()), "cut_by_client": len(cut),
        "5xx": {"total": len(five), "documented": len(five) - len(undocumented), "undocumented": len(undocumented),
                "undocumented_examples": [{"kind": s.kind, "status": s.status, "codes": list(s.codes)}
                                          for s in undocumented[:5]]},
        "latency": {"warmup": reference, "after_warmup": under,
                    "p99_ratio": round(under["p99_ms"] / reference["p99_ms"], 2) if reference["p99_ms"] else None,
                    "p50_ratio": round(under["p50_ms"] / reference["p50_ms"], 2) if reference["p50_ms"] else None},
        "faults": per_window,
        "invariants": {v.name: {"ok": v.ok, "detail": v.detail, **v.figures} for v in verdicts},
        **extra,
    }


def render(report: dict[str, Any]) -> str:
    lat = report["latency"]
    lines = [
        f"faults under load: {report['duration_s']:.0f} s ({report['warmup_s']:.0f} s fault-free warm-up), "
        f"{report['requests']:,} requests ({report['requests_per_s']}/s), {report['ok']:,} answered without error",
        "  by kind: " + ", ".join(f"{k} {v['requests']:,} ({v['ok']:,} ok)" for k, v in report["by_kind"].items()),
        "  HTTP status: " + ", ".join(f"{k}: {v:,}" for k, v in report["http_status"].items())
        + (f"; no HTTP answer: {report['no_http_answer']}" if report["no_http_answer"] else "")
        + f"; {report['cut_by_client']:,} first attempts cut off by the client (not counted above)",
        "  error codes: " + (", ".join(f"{k} {v:,}" for k, v in report["error_codes"].items()) or "none"),
        f"  5xx: {report['5xx']['total']} ({report['5xx']['documented']} documented, "
        f"{report['5xx']['undocumented']} undocumented)",
        f"  latency warm-up (reference): p50 {lat['warmup']['p50_ms']} ms, p99 {lat['warmup']['p99_ms']} ms "
        f"({lat['warmup']['n']:,} requests)",
        f"  latency with faults:         p50 {lat['after_warmup']['p50_ms']} ms, p99 {lat['after_warmup']['p99_ms']} ms "
        f"({lat['after_warmup']['n']:,} requests)",
        f"  p99 with faults / p99 warm-up: {lat['p99_ratio']}   p50 ratio: {lat['p50_ratio']}",
    ]
    for name, w in report["faults"].items():
        lines.append(f"  fault {name} [{w['start_s']}-{w['end_s']} s] {w['detail']}: {w['requests']} requests, "
                     f"{w['ok']} ok, no answer {w['no_answer']}, p99 {w['p99_ms']} ms, codes {w['codes']}")
    for name, v in report["invariants"].items():
        lines.append(f"  [{'ok' if v['ok'] else 'BROKEN'}] {name}: {v['detail']}")
    return "\n".join(lines)
