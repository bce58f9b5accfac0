"""Log lines: one JSON object per line in production (time, level, logger, message, part, request id, trace
id), readable text in dev, and never an ID number in either."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan

from telemetry.logs import ContextFilter, JsonFormatter, TextFormatter, scrub
from tests.support.servers import serve
from tests.telemetry.test_propagation import ID_NUMBER, _part_app

FIELDS = {"time", "level", "logger", "message", "part", "request_id", "trace_id"}
_ID_RUN = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?!\d)")


@pytest.fixture
def json_lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose lines are written as production writes them (JSON, part `population`)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter("population"))
    logger = logging.getLogger("tests.telemetry.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def _parsed(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_production_line_is_one_json_object_with_every_field_and_no_id_number(
        json_lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = json_lines
    logger.warning("person %s not found", ID_NUMBER)
    try:
        raise LookupError(f"no record for {ID_NUMBER}")
    except LookupError:
        logger.exception("lookup failed")
    first, second = _parsed(stream)
    assert set(first) == FIELDS
    assert first["level"] == "WARNING"
    assert first["logger"] == "tests.telemetry.json"
    assert first["part"] == "population"
    assert first["message"] == "person 4451**********9230 not found"
    assert datetime.fromisoformat(str(first["time"]).replace("Z", "+00:00")).tzinfo is not None
    assert (first["request_id"], first["trace_id"]) == (None, None)  # outside a request
    assert "LookupError" in str(second["message"])  # the traceback is kept, masked
    assert ID_NUMBER not in stream.getvalue()


def test_lines_written_while_serving_a_request_carry_its_request_id_and_trace_id(
        json_lines: tuple[logging.Logger, io.StringIO], spans: list[ReadableSpan]) -> None:
    logger, stream = json_lines
    with serve(_part_app(logger)) as url, httpx.Client() as client:
        answer = client.post(f"{url}/graphql", headers={"x-request-id": "req-from-client"})
    (line,) = _parsed(stream)
    assert line["request_id"] == "req-from-client" == answer.headers["x-request-id"]
    assert line["trace_id"] == answer.json()["trace_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", str(line["trace_id"]))
    assert ID_NUMBER not in stream.getvalue()


def test_dev_lines_are_readable_text_and_masked_too() -> None:
    record = logging.LogRecord("subgraphs.errors", logging.WARNING, __file__, 1, "no person %s", (ID_NUMBER,), None)
    ContextFilter("population").filter(record)
    line = TextFormatter().format(record)
    assert re.fullmatch(r"\d\d:\d\d:\d\d WARNING subgraphs\.errors: no person 4451\*{10}9230", line), line


def test_the_configuration_sends_uvicorns_and_every_librarys_lines_through_the_json_formatter() -> None:
    program = (
        "import logging\n"
        "from telemetry.logs import configure\n"
        "configure(part='gateway', level='INFO', fmt='json')\n"
        f"logging.getLogger('uvicorn.error').info('Started server for {ID_NUMBER}')\n"
        "logging.getLogger('gateway.security').warning('refused')\n"
        "logging.getLogger('httpx').info('HTTP Request: GET http://127.0.0.1/x')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["logger"], line["level"]) for line in lines] == [("uvicorn.error", "INFO"),
                                                                   ("gateway.security", "WARNING")]
    assert all(line["part"] == "gateway" for line in lines)
    assert not _ID_RUN.search(done.stderr)


def test_scrub_masks_every_id_number_like_run_and_leaves_other_numbers() -> None:
    assert scrub(f"a {ID_NUMBER} b 44512119730414923X c") == "a 4451**********9230 b 4451**********923X c"
    assert scrub("case 2026-0001 fined 1234567 fen") == "case 2026-0001 fined 1234567 fen"
