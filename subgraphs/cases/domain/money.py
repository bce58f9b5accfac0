"""Money as integer 分 (fen). Amounts never pass through floats."""

from __future__ import annotations

from .errors import DomainValueError

Fen = int

FEN_PER_YUAN = 100


def yuan(amount: int) -> Fen:
    """Whole 元 to 分."""
    return amount * FEN_PER_YUAN


def require_non_negative(amount: Fen, what: str) -> Fen:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise DomainValueError(f"{what} must be a non-negative integer amount in fen, got {amount!r}")
    return amount


def percent_of(amount: Fen, percent: int) -> Fen:
    """`percent` % of `amount`, rounded half up to the whole 分 (amounts are non-negative)."""
    return (amount * percent * 2 + 100) // 200


def format_yuan(amount: Fen) -> str:
    """`500000` → `"5000.00元"`."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), FEN_PER_YUAN)
    return f"{sign}{whole}.{cents:02d}元"
