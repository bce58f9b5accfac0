"""The dashboard's filter form (a GET form: the address is shareable and the back button works).

`parse_filters(query, bodies)` checks the five fields — level, region, body, from, to — and gives a
`Filters`: the values as entered (shown back in the form), the messages of the bad ones (shown beside
their field), and the `StatisticsFilter` the graph gets. When any field is bad no filter is applied
at all (the page shows the unfiltered figures and says so), rather than a half-applied one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final
from urllib.parse import urlencode

__all__ = ["FIELDS", "LEVEL_NAMES", "Filters", "parse_filters", "region_name", "region_prefix"]

#: the form's fields, in form order
FIELDS: Final = ("level", "region", "body", "from", "to")

#: the filter fields each list understands (their parameters of the same names)
LIST_PARAMS: Final = {"/cases": frozenset({"body", "region", "from", "to"}), "/alerts": frozenset({"body", "region"})}

LEVEL_NAMES: Final = {"CITY": "市级", "COUNTY": "县（区）级", "TOWN": "乡镇（街道）级"}

#: the names of Chaozhou's GB/T 2260 codes (DOMAIN.md §3.3); another code is shown as itself
_REGION_NAMES: Final = {"440000": "广东省", "445100": "潮州市", "445102": "湘桥区", "445103": "潮安区",
                        "445121": "潮安县（旧）", "445122": "饶平县"}


def region_name(code: str | None) -> str:
    if not code:
        return "—"
    return _REGION_NAMES.get(code, code)


def region_prefix(code: str) -> str:
    """A region and everything under it as a code prefix: 445100 -> 4451, 445102 -> 445102."""
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


@dataclass
class Filters:
    values: dict[str, str] = field(default_factory=dict)   # as entered, for the form
    errors: dict[str, str] = field(default_factory=dict)   # field -> message
    refused: bool = False                                   # the graph refused the filter (message in errors)

    @property
    def applied(self) -> dict[str, str]:
        """The fields in force: none while any is bad."""
        if self.errors:
            return {}
        return {k: v for k, v in self.values.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.applied)

    def graph_filter(self) -> dict[str, Any] | None:
        """The graph's StatisticsFilter for the fields in force (None: unfiltered)."""
        applied = self.applied
        if not applied:
            return None
        names = {"level": "level", "region": "regionCode", "body": "bodyId", "from": "from", "to": "to"}
        return {names[k]: v for k, v in applied.items()}

    def query(self, **extra: str | None) -> str:
        """This filter as a query string, with `extra` fields set (None drops one)."""
        params = dict(self.applied)
        for key, value in extra.items():
            key = key.rstrip("_")
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return urlencode(params)

    def here(self, **extra: str | None) -> str:
        """The dashboard's own address under this filter, with `extra` fields set."""
        return _url("/dashboard", self.query(**extra))

    def link(self, path: str, **extra: str | None) -> str:
        """A case or alert list's address under this filter, in the list's own parameter names (the
        case list: body, region, from, to; the alert list: body, region — it has no period), plus `extra`."""
        names = LIST_PARAMS.get(path, frozenset())
        params = {k: v for k, v in self.applied.items() if k in names}
        for key, value in extra.items():
            key = key.rstrip("_")
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return _url(path, urlencode(params))


def _url(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _day(raw: str) -> date | None:
    if len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def parse_filters(query: Mapping[str, str], bodies: Mapping[str, Any], regions: set[str]) -> Filters:
    """Check the form's fields against the levels, the known regions and bodies, and the calendar."""
    values = {name: (query.get(name) or "").strip()[:40] for name in FIELDS}
    errors: dict[str, str] = {}
    if values["level"] and values["level"] not in LEVEL_NAMES:
        errors["level"] = "层级只能是市级、县（区）级或乡镇（街道）级"
    if values["region"] and values["region"] not in regions:
        errors["region"] = "请选择列表中的行政区划"
    if values["body"] and values["body"] not in bodies:
        errors["body"] = "请选择列表中的执法主体"
    start, end = (_day(values["from"]) if values["from"] else None), (_day(values["to"]) if values["to"] else None)
    if values["from"] and start is None:
        errors["from"] = "开始日期格式应为 2026-10-30"
    if values["to"] and end is None:
        errors["to"] = "结束日期格式应为 2026-10-30"
    if start and end and start > end:
        errors["to"] = "结束日期不能早于开始日期"
    return Filters(values=values, errors=errors)


#: the graph's names of the filter's fields -> the form's
GRAPH_FIELDS: Final = {"level": "level", "regionCode": "region", "bodyId": "body", "from": "from", "to": "to"}


def refusal_field(graph_field: str | None) -> str:
    """The form field a graph refusal names (`filter.to` -> to); the period's end when it names none."""
    name = (graph_field or "").rsplit(".", 1)[-1]
    return GRAPH_FIELDS.get(name, "to")
