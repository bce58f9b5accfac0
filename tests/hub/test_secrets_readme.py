"""README "Running in production" lists every setting of the settings models, with its variable.

The settings models are walked (nested sections included); each leaf must have a row in the section's
table naming its key and its `HUB_*` variable, and every row must name a real setting. A new setting
without a row fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from hub.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
_ROW = re.compile(r"^\| `(?P<key>[a-z_.]+)` \| `(?P<env>HUB_[A-Z_]+)` \|")


def _settings(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys += _settings(kind, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def _rows() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Running in production\n")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end != -1 else len(text)]
    return {m["key"]: m["env"] for line in section.splitlines() if (m := _ROW.match(line))}


def test_the_walk_finds_the_nested_sections() -> None:
    keys = _settings(Settings)
    assert "security.audit.anchor_private_key" in keys
    assert "simulators.knobs.hang_rate" in keys
    assert len(keys) > 60


def test_every_setting_has_a_row_with_its_variable() -> None:
    rows = _rows()
    missing = [key for key in _settings(Settings) if key not in rows]
    assert missing == [], f"settings missing from README 'Running in production': {missing}"
    for key, env in rows.items():
        assert env == "HUB_" + key.upper().replace(".", "__"), key


def test_every_row_names_a_setting() -> None:
    assert sorted(set(_rows()) - set(_settings(Settings))) == []
