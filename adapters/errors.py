"""Errors of the adapters layer; each carries the source system and a stable `code`.

    SourceError                      code            meaning
    ├── SourceUnavailable            SOURCE_UNAVAILABLE   down, timed out, 5xx, circuit open
    │   └── SourceTimeout            SOURCE_UNAVAILABLE   no answer within the source's time budget (not retried)
    ├── SourceRejected               SOURCE_REJECTED      the source refused the call (credentials, limits)
    └── MalformedRecord              MALFORMED_RECORD     a record failed validation (check digit, date…)
    MappingError (ValueError)        —                    a mapping file is invalid (raised at start-up)
"""

from __future__ import annotations


class SourceError(Exception):
    code = "SOURCE_ERROR"

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class SourceUnavailable(SourceError):
    code = "SOURCE_UNAVAILABLE"


class SourceTimeout(SourceUnavailable):
    """The source did not answer within its time budget: it counts for the breaker, it is not retried."""


class SourceRejected(SourceError):
    code = "SOURCE_REJECTED"


class MalformedRecord(SourceError):
    """One record is unusable. `key` identifies it without personal data (hash or masked form)."""

    code = "MALFORMED_RECORD"

    def __init__(self, source: str, key: str, problems: list[str]) -> None:
        super().__init__(source, f"malformed record {key}: {'; '.join(problems)}")
        self.key = key
        self.problems = problems


class MappingError(ValueError):
    """A declarative mapping file is invalid; the message names the file and the key."""
