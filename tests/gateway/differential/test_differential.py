"""The hub gateway against the reference gateway: same request, same data, same errors (by path)."""

from __future__ import annotations

import pytest

from .compare import differences
from .fixtures import Case, all_cases
from .pool import FixturePool

pytestmark = pytest.mark.node


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.id)
def test_hub_answers_like_reference(case: Case, fixture_pool: FixturePool) -> None:
    running = fixture_pool.fixture(case.fixture)
    if case.expect is not None:
        # The reference is known to differ from the spec here (see the case's comment).
        expected = case.expect
    else:
        expected = running.run(fixture_pool.reference(case.fixture), case)
    actual = running.run(fixture_pool.hub(case.fixture), case)
    problems = differences(expected, actual)
    assert not problems, f"{case.id} ({case.comment or 'no comment'}):\n" + "\n".join(problems)
