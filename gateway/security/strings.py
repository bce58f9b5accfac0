"""Control characters in argument values are refused at the gateway, before any departmental system.

A string argument travels on to legacy systems that cannot carry every character: an XML (SOAP)
request cannot hold U+0000–U+001F other than tab, line feed and carriage return, nor U+FFFE/U+FFFF
or lone surrogates. Such a value is never meaningful input (a name, a code, a search term), so the
gateway refuses the request with BAD_USER_INPUT naming where the value stands, in a literal or in a
variable, instead of letting an adapter fail on it deep inside a query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphql import DocumentNode, StringValueNode, Visitor, visit

from gateway.security.errors import RequestRejected

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


class ControlCharacterRefused(RequestRejected):
    code = "BAD_USER_INPUT"


def _where(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if _FORBIDDEN.search(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _where(item, f"{path}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _where(item, f"{path}[{i}]")
            if found:
                return found
    return None


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: StringValueNode | None = None

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if self.found is None and _FORBIDDEN.search(node.value):
            self.found = node


def ensure_printable_arguments(document: DocumentNode, variables: Mapping[str, Any] | None) -> None:
    """Raise ControlCharacterRefused when a string literal or variable holds a control character."""
    literals = _Literals()
    visit(document, literals)
    if literals.found is not None:
        line = literals.found.loc.source.get_location(literals.found.loc.start).line if literals.found.loc else "?"
        raise ControlCharacterRefused(f"a string argument (line {line}) holds a control character; "
                                      "it is refused before it reaches any system",
                                      extensions={"argument": f"line {line}"})
    where = _where(dict(variables or {}), "$")
    if where is not None:
        raise ControlCharacterRefused(f"variable {where[2:]} holds a control character; it is refused before it "
                                      "reaches any system", extensions={"argument": where[2:]})
