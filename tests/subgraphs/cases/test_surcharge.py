"""加处罚款: the §5.5 worked example and the invariants (cap, monotonicity, pauses)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subgraphs.cases.domain.errors import DomainValueError
from subgraphs.cases.domain.money import format_yuan, percent_of, yuan
from subgraphs.cases.domain.periods import DateRange
from subgraphs.cases.domain.surcharge import Pause, PauseReason, compute_surcharge, daily_surcharge

DUE = date(2024, 6, 18)


@pytest.mark.parametrize(("as_of", "days", "amount_yuan"), [
    ("2024-06-18", 0, 0), ("2024-06-19", 1, 150), ("2024-06-28", 10, 1_500), ("2024-07-21", 33, 4_950),
    ("2024-07-22", 34, 5_000), ("2024-12-31", 196, 5_000),
])
def test_worked_example(as_of: str, days: int, amount_yuan: int) -> None:
    statement = compute_surcharge(fine_fen=yuan(5_000), due=DUE, as_of=date.fromisoformat(as_of))
    assert statement.accrued_days == days
    assert statement.amount_fen == yuan(amount_yuan)
    assert statement.capped is (amount_yuan == 5_000)


def test_rounding_is_half_up_on_the_daily_amount() -> None:
    assert daily_surcharge(50) == 2  # 1.5 分 → 2
    assert daily_surcharge(49) == 1  # 1.47 分 → 1
    assert daily_surcharge(16) == 0  # 0.48 分 → 0
    assert percent_of(1_000_001, 3) == 30_000
    assert format_yuan(yuan(5_000)) == "5000.00元"


def test_review_pause_stops_accrual() -> None:
    pause = Pause(DateRange(date(2024, 6, 25), date(2024, 7, 4)), PauseReason.ADMIN_REVIEW)
    statement = compute_surcharge(fine_fen=yuan(5_000), due=DUE, as_of=date(2024, 7, 10), pauses=[pause])
    assert statement.accrued_days == 22 - 10


def test_rejects_bad_input() -> None:
    with pytest.raises(DomainValueError):
        compute_surcharge(fine_fen=-1, due=DUE, as_of=DUE)
    with pytest.raises(DomainValueError):
        DateRange(date(2024, 6, 2), date(2024, 6, 1))


FINES = st.integers(min_value=0, max_value=10**10)
OFFSETS = st.integers(min_value=-30, max_value=400)
PAUSES = st.lists(
    st.tuples(st.integers(min_value=-20, max_value=300), st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
              st.sampled_from(list(PauseReason))),
    max_size=4,
)


def pauses_from(raw: list[tuple[int, int | None, PauseReason]]) -> list[Pause]:
    return [Pause(DateRange(DUE + timedelta(days=s), None if n is None else DUE + timedelta(days=s + n)), r)
            for s, n, r in raw]


@settings(max_examples=300)
@given(fine=FINES, offset=OFFSETS, raw=PAUSES)
def test_never_exceeds_the_fine(fine: int, offset: int, raw: list[tuple[int, int | None, PauseReason]]) -> None:
    statement = compute_surcharge(fine_fen=fine, due=DUE, as_of=DUE + timedelta(days=offset), pauses=pauses_from(raw))
    assert 0 <= statement.amount_fen <= fine


@settings(max_examples=300)
@given(fine=FINES, a=OFFSETS, b=OFFSETS, raw=PAUSES)
def test_monotone_in_the_evaluation_date(fine: int, a: int, b: int, raw: list[tuple[int, int | None, PauseReason]]) -> None:
    early, late = sorted((a, b))
    pauses = pauses_from(raw)
    first = compute_surcharge(fine_fen=fine, due=DUE, as_of=DUE + timedelta(days=early), pauses=pauses)
    second = compute_surcharge(fine_fen=fine, due=DUE, as_of=DUE + timedelta(days=late), pauses=pauses)
    assert first.amount_fen <= second.amount_fen


@settings(max_examples=300)
@given(fine=FINES, offset=OFFSETS, raw=PAUSES, extra=PAUSES)
def test_paused_days_never_add(fine: int, offset: int, raw: list[tuple[int, int | None, PauseReason]],
                               extra: list[tuple[int, int | None, PauseReason]]) -> None:
    as_of = DUE + timedelta(days=offset)
    base = compute_surcharge(fine_fen=fine, due=DUE, as_of=as_of, pauses=pauses_from(raw))
    more = compute_surcharge(fine_fen=fine, due=DUE, as_of=as_of, pauses=pauses_from(raw + extra))
    assert more.amount_fen <= base.amount_fen
    assert more.accrued_days <= base.accrued_days


@given(fine=FINES, offset=st.integers(min_value=-400, max_value=0), raw=PAUSES)
def test_zero_until_the_due_date_has_passed(fine: int, offset: int, raw: list[tuple[int, int | None, PauseReason]]) -> None:
    statement = compute_surcharge(fine_fen=fine, due=DUE, as_of=DUE + timedelta(days=offset), pauses=pauses_from(raw))
    assert statement.amount_fen == 0


@given(fine=st.integers(min_value=1, max_value=10**10), days=st.integers(min_value=1, max_value=400))
def test_without_pauses_it_is_three_percent_a_day_up_to_the_cap(fine: int, days: int) -> None:
    statement = compute_surcharge(fine_fen=fine, due=DUE, as_of=DUE + timedelta(days=days))
    assert statement.accrued_days == days
    assert statement.amount_fen == min(fine, (fine * 3 * 2 + 100) // 200 * days)
