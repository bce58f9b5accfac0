"""Log lines of every part: one JSON object per line (production) or readable text (dev), never an ID number.

Each record gets the part that wrote it, the id of the request being served and the current trace id
(`ContextFilter`); both formatters mask every run of digits that looks like a resident ID number
(`scrub`), in the message and in a traceback, whatever logger wrote it (ours, uvicorn's, a library's).

    {"time": "2026-12-06T22:50:01.123Z", "level": "WARNING", "logger": "subgraphs.errors",
     "message": "...", "part": "population", "request_id": "4f1c...", "trace_id": "0af7..."}
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any, Final, Literal

import orjson

from domain.masking import mask_id_number
from telemetry.context import current_request_id, current_trace_id

LogFormat = Literal["json", "text"]
#: libraries whose INFO lines say nothing an operator needs
QUIET_LOGGERS: Final = ("httpx", "httpcore")
_ID_LIKE: Final = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?!\d)")


def scrub(text: str) -> str:
    """`text` with every ID-number-like token masked (``4451**********1230``)."""
    return _ID_LIKE.sub(lambda m: mask_id_number(m.group(1)), text)


class ContextFilter(logging.Filter):
    """Adds `part`, `request_id` and `trace_id` to every record (None outside a request or trace)."""

    def __init__(self, part: str = "") -> None:
        super().__init__()
        self.part = part

    def filter(self, record: logging.LogRecord) -> bool:
        record.part = self.part
        record.request_id = current_request_id()
        record.trace_id = current_trace_id()
        return True


def _message(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    message = record.getMessage()
    if record.exc_info:
        message = f"{message}\n{formatter.formatException(record.exc_info)}"
    elif record.exc_text:
        message = f"{message}\n{record.exc_text}"
    return scrub(message)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, part, request_id, trace_id."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": _message(self, record),
            "part": getattr(record, "part", ""),
            "request_id": getattr(record, "request_id", None),
            "trace_id": getattr(record, "trace_id", None),
        }
        return orjson.dumps(line).decode("utf-8")


class TextFormatter(logging.Formatter):
    """``22:50:01 WARNING subgraphs.errors: message [request 4f1c...]`` (dev)."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        request_id = getattr(record, "request_id", None)
        suffix = f" [request {request_id}]" if request_id else ""
        return f"{when} {record.levelname} {record.name}: {_message(self, record)}{suffix}"


def logging_config(*, part: str, level: str = "INFO", fmt: LogFormat = "text") -> dict[str, Any]:
    """A `logging.config.dictConfig` document (uvicorn's ``log_config`` too): one stderr handler on the root
    logger, uvicorn's loggers sent through it."""
    formatter = JsonFormatter if fmt == "json" else TextFormatter
    through_root = {"handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter, "part": part}},
        "formatters": {"line": {"()": formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "line", "filters": ["context"]}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {**{name: dict(through_root) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
                    # a line per HTTP call the part makes is noise (and its URL could hold a value)
                    **{name: {"level": "WARNING"} for name in QUIET_LOGGERS}},
    }


def configure(*, part: str, level: str = "INFO", fmt: LogFormat = "text") -> None:
    """Apply `logging_config` to this process."""
    import logging.config

    logging.config.dictConfig(logging_config(part=part, level=level, fmt=fmt))
