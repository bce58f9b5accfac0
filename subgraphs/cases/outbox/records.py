"""What inspections and coercive measures owe the provincial data centre (type INSPECTION, COERCIVE_MEASURE).

* An inspection is reported once its result is recorded, as the "互联网+监管" 行政检查行为 record
  (DOMAIN.md §7): the check, the implementing body, the object and the result; after that every change
  is an update. An object without a credit code may be a natural person: its name leaves masked.
* A coercive measure is reported from its first event (行政强制措施, the §11.2b proposal): its case,
  kind, basis level, state and dates — never the seized items' descriptions.

Both keyed by the record's id and versioned by the record's version, like the case records.
"""

from __future__ import annotations

from typing import Any

from domain.masking import mask_name
from subgraphs.cases.domain.coercive import CoerciveMeasure
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.inspection import CheckResult, Inspection

INSPECTION_TYPE = "INSPECTION"
MEASURE_TYPE = "COERCIVE_MEASURE"

CHECK_RESULT_LABEL: dict[CheckResult, str] = {
    CheckResult.NO_ISSUE: "未发现问题",
    CheckResult.RECTIFY: "发现问题责令整改",
    CheckResult.FILE_CASE: "发现问题立案查处",
    CheckResult.OBJECT_NOT_FOUND: "未找到检查对象",
}


def inspection_data(i: Inspection, ctx: GuardContext) -> tuple[str, dict[str, Any]] | None:
    if i.result is None or i.checked_at is None:
        return None  # nothing to report before the check has a result
    item = ctx.catalogue.item(i.item_code, i.item_version)
    body = ctx.bodies.body(i.body_id)
    data: dict[str, Any] = {
        "checkActionCode": i.inspection_id,
        "checkActionName": f"{item.name if item is not None else i.item_code}检查",
        "superviseItemCode": i.item_code,
        "implementingBody": body.name if body is not None else "",
        "implementingBodyCode": i.body_id,
        "objectName": i.object_name if i.object_uscc else mask_name(i.object_name),
        "regionCode": i.region_code[:6],
        "checkResult": CHECK_RESULT_LABEL[i.result],
        "checkResultCode": i.result.value,
        "checkDate": i.checked_at.isoformat(),
        "inspectorCount": len(i.inspectors),
        "certNos": list(i.cert_nos),  # public by design (事前公开 of enforcement personnel)
        "state": i.state.value,
    }
    if i.object_uscc:
        data.update(counterpartName=i.object_name, counterpartIdType="统一社会信用代码", counterpartCode=i.object_uscc)
    if i.plan_id:
        data["planId"] = i.plan_id
    if i.submitted_at is not None:
        data["submittedAt"] = i.submitted_at.isoformat()
    if i.rectification_due is not None:
        data["rectificationDue"] = i.rectification_due.isoformat()
    if i.published_on is not None:
        data["publishedOn"] = i.published_on.isoformat()
    return INSPECTION_TYPE, data


def measure_data(m: CoerciveMeasure, ctx: GuardContext) -> tuple[str, dict[str, Any]] | None:
    data: dict[str, Any] = {
        "measureId": m.measure_id, "caseId": m.case_id, "kind": m.kind.value, "basisLevel": m.basis_level.value,
        "bodyUscc": m.body_id, "itemCode": m.item_code, "regionCode": m.region_code[:6], "state": m.state.value,
        "emergency": m.emergency, "itemCount": len(m.items), "extensions": m.extensions,
    }
    if m.started_at is not None:
        data["startedAt"] = m.started_at.isoformat()
    if m.decision_served_on is not None:
        data["decisionServedOn"] = m.decision_served_on.isoformat()
    if m.term is not None:
        data["termDue"] = m.term.due.isoformat()
    if m.handling is not None:
        data["handling"] = m.handling.value
    if m.ended_on is not None:
        data["endedOn"] = m.ended_on.isoformat()
    return MEASURE_TYPE, data
