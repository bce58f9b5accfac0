"""The receivers' error tree: refused requests carry one HTTP status each; rejected records stay in the batch.

    Exception
     ├── ReceiverError        a refused request, answered `{"code": status, "message": ...}`
     │    ├── Unauthorised    401  unknown app key, stale or malformed timestamp, signature mismatch
     │    ├── BadRequest      400  malformed envelope or query parameters
     │    └── Unavailable     503  injected fault (error knob or `down`)
     └── RecordRejected       one record of a batch is refused; `.reason` goes into the `rejected` list

A refused request changes nothing stored; a rejected record leaves the other records of its batch alone.
"""

from __future__ import annotations


class ReceiverError(Exception):
    """A refused request. `status` is both the HTTP status and the `code` of the JSON answer."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthorised(ReceiverError):
    status = 401


class BadRequest(ReceiverError):
    status = 400


class Unavailable(ReceiverError):
    status = 503


class RecordRejected(ValueError):
    """One record fails a check. The reason names the field and never quotes personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
