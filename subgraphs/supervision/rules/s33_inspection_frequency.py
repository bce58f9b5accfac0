"""S33 检查频次超限: more inspections of one object by one body within the window than allowed.

Works on inspections, not cases: the engine passes every inspection it has.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from subgraphs.supervision.model import Finding, Severity, SubjectKind
from subgraphs.supervision.view import EvalContext, Inspection

RULE_ID = "S33"
NAME = "检查频次超限"
BASIS = "国办发〔2024〕54号 [M]; caps [P]"


def check(inspections: Sequence[Inspection], ctx: EvalContext) -> Iterator[Finding]:
    by_pair: dict[tuple[str, str], list[Inspection]] = {}
    for ins in inspections:
        by_pair.setdefault((ins.body_id, ins.object_key), []).append(ins)
    limit, window = ctx.config.inspection_max, ctx.config.inspection_window_days
    for (body_id, _obj), items in sorted(by_pair.items()):
        items.sort(key=lambda i: (i.on, i.inspection_id))
        for i in range(limit, len(items)):
            if (items[i].on - items[i - limit].on).days <= window:
                yield Finding(RULE_ID, Severity.RED, SubjectKind.BODY, body_id, body_id, None, None,
                              {"inspections_in_window": limit + 1, "window_days": window,
                               "last_inspection_id": items[i].inspection_id})
                break
