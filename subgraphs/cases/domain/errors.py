"""Errors of the case domain layer, each with a stable `code` for `extensions.code`.

    CaseDomainError                      base; never raised itself
    ├── CalendarError
    │   ├── CalendarDataError            CALENDAR_DATA_INVALID    a calendar file is malformed (names file and value)
    │   └── CalendarRangeError           CALENDAR_OUT_OF_RANGE    a date outside every loaded year
    ├── ConfigError                      DEADLINE_CONFIG_INVALID  deadlines.toml is malformed (names the key)
    ├── DomainValueError                 DOMAIN_VALUE_INVALID     an input value breaks an invariant of a value type
    ├── IllegalTransition                ILLEGAL_TRANSITION       the command is not allowed in the current state
    └── GuardFailed                      GUARD_FAILED             a legal guard rejected the command (rule id + article)
"""

from __future__ import annotations


class CaseDomainError(Exception):
    """Base of every error raised by the case domain."""

    code = "CASE_DOMAIN_ERROR"


class CalendarError(CaseDomainError):
    code = "CALENDAR_ERROR"


class CalendarDataError(CalendarError):
    """A calendar data file cannot be used; the message names the file and the offending value."""

    code = "CALENDAR_DATA_INVALID"

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source


class CalendarRangeError(CalendarError):
    """A date lies outside the years the working calendar was loaded with."""

    code = "CALENDAR_OUT_OF_RANGE"

    def __init__(self, day: object, loaded_years: tuple[int, ...]) -> None:
        years = ", ".join(str(y) for y in loaded_years) or "none"
        super().__init__(
            f"no working-day calendar for {day}: loaded years are {years}; "
            "add the State Council holiday schedule for that year before computing deadlines"
        )
        self.day = day
        self.loaded_years = loaded_years


class ConfigError(CaseDomainError):
    """The deadline configuration is malformed; `key` is the dotted key at fault."""

    code = "DEADLINE_CONFIG_INVALID"

    def __init__(self, source: str, key: str, message: str) -> None:
        super().__init__(f"{source}: key '{key}': {message}")
        self.source = source
        self.key = key


class DomainValueError(CaseDomainError, ValueError):
    code = "DOMAIN_VALUE_INVALID"


class IllegalTransition(CaseDomainError):
    """The command does not apply in the case's current state."""

    code = "ILLEGAL_TRANSITION"

    def __init__(self, command: str, state: str, allowed: tuple[str, ...]) -> None:
        allowed_text = ", ".join(allowed) or "none"
        super().__init__(f"{command} is not allowed in state {state} (allowed from: {allowed_text})")
        self.command = command
        self.state = state
        self.allowed = allowed


class GuardFailed(CaseDomainError):
    """A guard of the state machine failed; `rule` is stable, `article` is the legal basis."""

    code = "GUARD_FAILED"

    def __init__(self, rule: str, article: str, message: str) -> None:
        super().__init__(f"[{rule}] {message} ({article})")
        self.rule = rule
        self.article = article
        self.message = message
