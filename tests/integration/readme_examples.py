"""The README's examples as data: its fenced code blocks, what each expects, and how an answer is judged.

A block runs as written: ```sh blocks in bash, every operation of a ```graphql block sent to the
gateway (its variables from a `# variables: {...}` comment after it). A ```json block is the answer
the block before it shows: the hub's answer must hold it, where `"…"` in a list stands for items left
out (without one the list must have exactly the items shown). A block that cannot run in a test is
marked on the line before it with `<!-- readme-test: skip (why) -->`; any other kind of block
without that marker is an error, so a new example is either run or consciously skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from graphql import OperationDefinitionNode, parse

RUNNABLE = ("sh", "graphql")
ELIDED = "…"
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\s*\((?P<why>[^)]+)\)\s*-->")
VARIABLES = re.compile(r"#\s*variables:\s*(\{.*\})")
FENCE = re.compile(r"^```(?P<kind>[\w-]*)\s*$")
#: the default ports the README's examples name: gateway, subgraphs, simulated systems
GATEWAY_PORT, SUBGRAPH_PORTS, SIMULATOR_PORTS = 4000, range(4001, 4007), range(4101, 4109)


@dataclass
class Example:
    kind: str
    text: str
    line: int  # where the block starts in the README (1-based)
    skip: str | None = None
    expected: Any = None
    has_expected: bool = False

    @property
    def where(self) -> str:
        return f"README.md:{self.line} ({self.kind})"


@dataclass(frozen=True)
class Operation:
    text: str
    variables: dict[str, Any] | None
    needs_variables: bool


@dataclass
class Extracted:
    examples: list[Example] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def runnable(self) -> list[Example]:
        return [e for e in self.examples if e.kind in RUNNABLE and e.skip is None]

    @property
    def skipped(self) -> list[Example]:
        return [e for e in self.examples if e.skip is not None]


def extract(readme: str) -> Extracted:
    """Every fenced block of the README, with its skip marker and the JSON answer it shows."""
    found = Extracted()
    lines = readme.splitlines()
    i = 0
    previous = ""  # the last non-blank line before the current block
    last: Example | None = None
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence is None:
            if lines[i].strip():
                previous = lines[i]
            i += 1
            continue
        start, kind = i + 1, fence.group("kind")
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            found.problems.append(f"README.md:{start}: a fenced block is never closed")
            break
        text = "\n".join(lines[i + 1:end])
        marker = SKIP.search(previous)
        i, previous = end + 1, ""
        if kind == "json" and marker is None:
            if last is None or last.has_expected or last.skip is not None or last.kind not in RUNNABLE:
                found.problems.append(f"README.md:{start}: a json answer with no example before it")
                continue
            try:
                last.expected, last.has_expected = json.loads(text), True
            except ValueError as exc:
                found.problems.append(f"README.md:{start}: the json answer does not parse: {exc}")
            continue
        example = Example(kind, text, start, skip=marker.group("why") if marker else None)
        if example.skip is None and kind not in RUNNABLE:
            found.problems.append(f"{example.where}: a ```{kind or '(no kind)'} block is neither run nor marked "
                                  "<!-- readme-test: skip (why) -->")
        found.examples.append(example)
        last = example
    return found


def operations(text: str) -> list[Operation]:
    """The operations of a GraphQL block, each as its own document, with the variables its comment gives."""
    document = parse(text)
    defs = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    out = []
    starts = [d.loc.start if d.loc else 0 for d in defs[1:]] + [len(text)]
    for op, tail_end in zip(defs, starts, strict=True):
        assert op.loc is not None
        comment = VARIABLES.search(text[op.loc.end:tail_end])
        out.append(Operation(text[op.loc.start:op.loc.end], json.loads(comment.group(1)) if comment else None,
                             bool(op.variable_definitions)))
    return out


def local_ports(text: str, *, gateway: int, subgraphs: int, simulators: int) -> str:
    """The example with the README's default ports moved to where the test's hub runs."""
    def move(m: re.Match[str]) -> str:
        port = int(m.group(1))
        if port == GATEWAY_PORT:
            port = gateway
        elif port in SUBGRAPH_PORTS:
            port = subgraphs + port - SUBGRAPH_PORTS.start
        elif port in SIMULATOR_PORTS:
            port = simulators + port - SIMULATOR_PORTS.start
        return f"127.0.0.1:{port}"

    return re.sub(r"127\.0\.0\.1:(\d+)", move, text)


def answer_problems(answer: Any) -> list[str]:
    """What is wrong with a GraphQL answer for an example: errors, no data, a root field null or empty."""
    if not isinstance(answer, dict):
        return [f"not a GraphQL answer: {answer!r:.300}"]
    problems = [f"error: {e.get('message')} ({(e.get('extensions') or {}).get('code')}) at {e.get('path')}"
                for e in answer.get("errors") or []]
    data = answer.get("data")
    if not isinstance(data, dict) or not data:
        return [*problems, "no data"]
    for name, value in data.items():
        if value is None or value == [] or (isinstance(value, dict) and value.get("items") == []):
            problems.append(f"{name} is {json.dumps(value)}: the example answers nothing on this data")
    return problems


def mismatches(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where the hub's answer does not hold the answer the README shows (see the module docstring)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: the README shows an object, the hub answers {json.dumps(actual, ensure_ascii=False):.200}"]
        out: list[str] = []
        for key, value in expected.items():
            out += [f"{path}.{key}: missing"] if key not in actual else mismatches(value, actual[key], f"{path}.{key}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: the README shows a list, the hub answers {json.dumps(actual, ensure_ascii=False):.200}"]
        wanted = [e for e in expected if e != ELIDED]
        if ELIDED not in expected and len(wanted) != len(actual):
            return [f"{path}: the README shows {len(wanted)} items, the hub answers {len(actual)}"]
        at = 0
        for n, item in enumerate(wanted):  # the items shown, in order, among the hub's
            while at < len(actual) and mismatches(item, actual[at], path):
                at += 1
            if at == len(actual):
                shown = json.dumps(item, ensure_ascii=False)
                return [f"{path}[{n}]: no item of the hub's answer (in order) matches {shown:.200}"]
            at += 1
        return []
    if expected != actual:
        return [f"{path}: the README shows {json.dumps(expected, ensure_ascii=False)}, the hub answers "
                f"{json.dumps(actual, ensure_ascii=False)}"]
    return []
