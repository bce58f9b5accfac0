"""Declarative field mappings: how a legacy record becomes the fields of a domain value.

A mapping is a TOML file under `schema/standards/mappings/` (config, not code: a department with
another legacy shape edits a file). Example:

    source = "population"                  # the source system's name, used in provenance and errors
    [fields.name]
    from = "XM"                            # legacy field / column / element name
    [fields.birth_date]
    from = "CSRQ"
    type = "date"
    format = "%Y%m%d"
    [fields.gender]
    from = "XB"
    type = "code"
    table = "gender"
    [codes.gender]
    "1" = "1"
    "2" = "2"

Types: `str` (default), `int`, `bool` (with `true` / `false` value lists), `date` (with `format`),
`list` (with `separator`), `code` (a value looked up in `[codes.<table>]`). `required = false`
lets a field be absent or empty (it becomes None). `lenient = true` (for a field the record is usable
without, such as a status date) makes a value that does not convert None, its problem reported in the
`field_problems` the caller passes to `apply` rather than as a problem of the record. `load_mapping` validates the whole file at
start-up and raises `MappingError` naming the file and key; `apply` turns one record into a dict
plus the list of problems found (never raising for bad data: the caller decides, usually by
reporting `MALFORMED_RECORD`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping as AbstractMapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from adapters.errors import MappingError

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "schema" / "standards" / "mappings"

_TYPES = {"str", "int", "bool", "date", "list", "code"}
_FIELD_KEYS = {"from", "type", "format", "table", "separator", "required", "true", "false", "strip", "lenient"}


@dataclass(frozen=True)
class FieldRule:
    name: str
    source: str
    type: str = "str"
    format: str | None = None
    table: str | None = None
    separator: str = ";"
    required: bool = True
    true_values: tuple[str, ...] = ("1", "Y", "true", "是")
    false_values: tuple[str, ...] = ("0", "N", "false", "否")
    strip: bool = True
    lenient: bool = False


@dataclass(frozen=True)
class Mapping:
    source: str
    fields: tuple[FieldRule, ...]
    codes: dict[str, dict[str, str]]
    options: dict[str, Any] = field(default_factory=dict)

    def column(self, field_name: str) -> str:
        return self.rule(field_name).source

    def rule(self, field_name: str) -> FieldRule:
        for rule in self.fields:
            if rule.name == field_name:
                return rule
        raise KeyError(field_name)

    def reverse_codes(self, table: str) -> dict[str, list[str]]:
        """A code table read backwards: value -> the legacy codes that map to it (for building queries)."""
        out: dict[str, list[str]] = {}
        for code, value in self.codes[table].items():
            out.setdefault(value, []).append(code)
        return out

    def apply(self, record: AbstractMapping[str, Any], *,
              field_problems: dict[str, str] | None = None) -> tuple[dict[str, Any], list[str]]:
        """Map one legacy record; return the values and the problems (empty when all is well).

        With `field_problems`, a lenient field's conversion problem goes there (field name -> problem)
        instead of into the record's problems; without it every problem is the record's."""
        out: dict[str, Any] = {}
        problems: list[str] = []
        for rule in self.fields:
            raw = record.get(rule.source)
            if isinstance(raw, str) and rule.strip:
                raw = raw.strip()
            if raw is None or raw == "":
                if rule.required:
                    problems.append(f"{rule.source}: missing")
                out[rule.name] = [] if rule.type == "list" else None
                continue
            try:
                out[rule.name] = self._convert(rule, raw)
            except ValueError as exc:
                if rule.lenient and field_problems is not None:
                    field_problems[rule.name] = f"{rule.source}: {exc}"
                else:
                    problems.append(f"{rule.source}: {exc}")
                out[rule.name] = None
        return out, problems

    def _convert(self, rule: FieldRule, raw: Any) -> Any:
        text = raw if isinstance(raw, str) else str(raw)
        if rule.type == "str":
            return text
        if rule.type == "int":
            try:
                return int(text)
            except ValueError:
                raise ValueError(f"not an integer: {text!r}") from None
        if rule.type == "bool":
            if isinstance(raw, bool):
                return raw
            if text in rule.true_values:
                return True
            if text in rule.false_values:
                return False
            raise ValueError(f"not a yes/no value: {text!r}")
        if rule.type == "date":
            assert rule.format is not None
            try:
                return datetime.strptime(text, rule.format).date()
            except ValueError:
                raise ValueError(f"not a date in {rule.format}: {text!r}") from None
        if rule.type == "list":
            return [part.strip() for part in text.split(rule.separator) if part.strip()]
        assert rule.table is not None
        table = self.codes[rule.table]
        if text not in table:
            raise ValueError(f"unknown code {text!r} (table {rule.table})")
        return table[text]


def _fail(path: Path, key: str, message: str) -> MappingError:
    return MappingError(f"{path.name}: {key}: {message}")


def parse_mapping(data: dict[str, Any], path: Path) -> Mapping:
    source = data.get("source")
    if not isinstance(source, str) or not source:
        raise _fail(path, "source", "must be a non-empty string")
    raw_codes = data.get("codes", {})
    if not isinstance(raw_codes, dict):
        raise _fail(path, "codes", "must be a table of code tables")
    codes: dict[str, dict[str, str]] = {}
    for table, values in raw_codes.items():
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise _fail(path, f"codes.{table}", "must map legacy codes to strings")
        codes[table] = {str(k): str(v) for k, v in values.items()}
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise _fail(path, "fields", "must be a non-empty table")
    rules: list[FieldRule] = []
    for name, spec in raw_fields.items():
        key = f"fields.{name}"
        if not isinstance(spec, dict):
            raise _fail(path, key, "must be a table")
        unknown = set(spec) - _FIELD_KEYS
        if unknown:
            raise _fail(path, key, f"unknown option(s) {', '.join(sorted(unknown))}")
        src = spec.get("from")
        if not isinstance(src, str) or not src:
            raise _fail(path, f"{key}.from", "must name the legacy field")
        typ = spec.get("type", "str")
        if typ not in _TYPES:
            raise _fail(path, f"{key}.type", f"must be one of {', '.join(sorted(_TYPES))}")
        fmt = spec.get("format")
        if typ == "date":
            if not isinstance(fmt, str):
                raise _fail(path, f"{key}.format", "a date field needs a strptime format")
            try:
                datetime.strptime(date(2000, 1, 2).strftime(fmt), fmt)
            except ValueError as exc:
                raise _fail(path, f"{key}.format", f"unusable date format: {exc}") from exc
        table = spec.get("table")
        if typ == "code" and table not in codes:
            raise _fail(path, f"{key}.table", f"names no code table (have: {', '.join(sorted(codes)) or 'none'})")
        rule_kwargs: dict[str, Any] = {}
        if "true" in spec:
            rule_kwargs["true_values"] = tuple(str(v) for v in spec["true"])
        if "false" in spec:
            rule_kwargs["false_values"] = tuple(str(v) for v in spec["false"])
        rules.append(FieldRule(
            name=name, source=src, type=typ, format=fmt, table=table,
            separator=str(spec.get("separator", ";")), required=bool(spec.get("required", True)),
            strip=bool(spec.get("strip", True)), lenient=bool(spec.get("lenient", False)), **rule_kwargs,
        ))
    options = {k: v for k, v in data.items() if k not in {"source", "codes", "fields"}}
    return Mapping(source=source, fields=tuple(rules), codes=codes, options=options)


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load and validate a mapping by name (`population`) or path; MappingError on any problem."""
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.toml"
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise MappingError(f"mapping file {path.name} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path.name}: not valid TOML: {exc}") from exc
    return parse_mapping(data, path)
