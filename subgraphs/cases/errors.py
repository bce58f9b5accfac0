"""Errors of the case store and service, each with a stable `code` for `extensions.code`.

    CaseServiceError                     base; never raised itself
    ├── CaseNotFound                     NOT_FOUND               no case with that id
    ├── RecordNotFound                   NOT_FOUND               no coercive measure / inspection with that id
    ├── VersionConflict                  VERSION_CONFLICT        the case changed since it was read
    │   └── RecordVersionConflict        VERSION_CONFLICT        a measure / inspection changed since it was read
    ├── IdempotencyKeyReused             IDEMPOTENCY_KEY_REUSED  the key was used for another request
    ├── BadInput                         BAD_USER_INPUT          a value the service cannot use
    ├── Forbidden                        FORBIDDEN               the caller may not act on this case
    ├── CatalogueError                   CATALOGUE_WORKFLOW      a catalogue step out of order
    └── BlobError                        BLOB_INVALID            a file is missing, too big or not the hash claimed

The domain's own errors (`subgraphs.cases.domain.errors`: GUARD_FAILED naming rule and article,
ILLEGAL_TRANSITION, DOMAIN_VALUE_INVALID) pass through the service unchanged; the graph maps
DOMAIN_VALUE_INVALID to BAD_USER_INPUT.
"""

from __future__ import annotations


class CaseServiceError(Exception):
    code = "CASE_SERVICE_ERROR"


class CaseNotFound(CaseServiceError):
    code = "NOT_FOUND"

    def __init__(self, case_id: str) -> None:
        super().__init__(f"no case {case_id}")
        self.case_id = case_id


class VersionConflict(CaseServiceError):
    code = "VERSION_CONFLICT"

    def __init__(self, case_id: str, expected: int | None, actual: int | None) -> None:
        super().__init__(f"case {case_id} is at version {actual}, not {expected}: reload and retry")
        self.case_id = case_id
        self.expected = expected
        self.actual = actual


class RecordNotFound(CaseServiceError):
    code = "NOT_FOUND"

    def __init__(self, what: str, record_id: str) -> None:
        super().__init__(f"no {what} {record_id}")
        self.record_id = record_id


class RecordVersionConflict(VersionConflict):
    """A stale write to a coercive measure or an inspection (`case_id` carries the record's id)."""

    def __init__(self, what: str, record_id: str, expected: int | None, actual: int | None) -> None:
        super().__init__(record_id, expected, actual)
        self.args = (f"{what} {record_id} is at version {actual}, not {expected}: reload and retry",)


class IdempotencyKeyReused(CaseServiceError):
    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used for a different request")
        self.key = key


class BadInput(CaseServiceError):
    code = "BAD_USER_INPUT"


class Forbidden(CaseServiceError):
    code = "FORBIDDEN"


class CatalogueError(CaseServiceError):
    code = "CATALOGUE_WORKFLOW"


class BlobError(CaseServiceError):
    code = "BLOB_INVALID"
