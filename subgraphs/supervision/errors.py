"""Errors of the supervision layer, each with a stable `code`.

    SupervisionError                 SUPERVISION_ERROR
     ├── ConfigError                 SUPERVISION_CONFIG     bad [P]/[M] figure in the configuration
     ├── FactsUnavailable            SOURCE_UNAVAILABLE     the gateway (or a subgraph behind it) failed
     │    └── GatewayUnreachable     SOURCE_UNAVAILABLE     no connection to the gateway at all
     ├── SweepWorkerError            SWEEP_WORKER_FAILED    a sweep's worker process failed or died
     ├── AlertNotFound               NOT_FOUND
     ├── IllegalAlertTransition      ILLEGAL_TRANSITION     lifecycle move not allowed from the status
     ├── CampaignError               BAD_USER_INPUT         review campaign misuse (recusal, sample, score)
     │    └── NotAssigned            FORBIDDEN              scoring a file the caller is not assigned to
     └── NotFound                    NOT_FOUND
"""

from __future__ import annotations


class SupervisionError(Exception):
    code = "SUPERVISION_ERROR"


class ConfigError(SupervisionError):
    code = "SUPERVISION_CONFIG"

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"supervision config {key}: {problem}")
        self.key = key


class FactsUnavailable(SupervisionError):
    code = "SOURCE_UNAVAILABLE"


class GatewayUnreachable(FactsUnavailable):
    """The gateway did not answer at all (not started yet, or down)."""


class SweepWorkerError(SupervisionError):
    """A worker process of a parallel sweep failed or died: the sweep stops and records nothing."""

    code = "SWEEP_WORKER_FAILED"


class NotFound(SupervisionError):
    code = "NOT_FOUND"


class AlertNotFound(NotFound):
    pass


class IllegalAlertTransition(SupervisionError):
    code = "ILLEGAL_TRANSITION"


class CampaignError(SupervisionError):
    code = "BAD_USER_INPUT"


class NotAssigned(CampaignError):
    """Only a reviewer a campaign assigned to a file may score it (unknown files look the same)."""

    code = "FORBIDDEN"
