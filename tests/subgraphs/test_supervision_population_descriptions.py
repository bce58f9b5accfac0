"""Every type, field, argument and enum value the supervision and population subgraphs define, and the shared
types of `subgraphs.common` they use (`IdType`, the `Person` stub, `Page`), is described: the Chinese term and
an English explanation."""

from __future__ import annotations

from enum import StrEnum

import pytest

from subgraphs.common.types import described_enum
from subgraphs.population.schema import build_schema as population_schema
from subgraphs.supervision.model import Severity
from subgraphs.supervision.schema import build_schema as supervision_schema
from tests.subgraphs.test_registry_descriptions import _gaps


@pytest.mark.parametrize("build", [supervision_schema, population_schema], ids=["supervision", "population"])
def test_every_type_field_argument_and_value_is_described_in_chinese_and_english(build: object) -> None:
    schema = build()  # type: ignore[operator]
    assert _gaps(schema._schema) == []


def test_the_shared_types_are_described_where_the_subgraphs_use_them() -> None:
    types = supervision_schema()._schema.type_map
    assert types["IdType"].values["RESIDENT_ID"].description.startswith("居民身份证")  # type: ignore[attr-defined]
    assert types["Person"].fields["idNumberHash"].description  # type: ignore[attr-defined]
    page = population_schema()._schema.type_map["PersonPage"]
    assert all(f.description for f in page.fields.values())  # type: ignore[attr-defined]


def test_describing_an_enum_keeps_its_python_values() -> None:
    assert [s.value for s in Severity] == ["RED", "YELLOW", "INFO"]
    assert Severity("RED") is Severity.RED


def test_an_enum_value_left_undescribed_is_refused() -> None:
    class Colour(StrEnum):
        RED = "RED"
        BLUE = "BLUE"

    with pytest.raises(ValueError, match="BLUE"):
        described_enum(Colour, name="Colour", description="颜色 — colour", values={Colour.RED: "红 — red"})
