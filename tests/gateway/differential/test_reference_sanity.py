"""Every case against the reference gateway alone: proves the fixtures and cases mean what they say."""

from __future__ import annotations

import pytest

from .compare import MISSING, error_paths, null_paths, pointer
from .fixtures import Case, all_cases
from .gateways import GatewayStartError
from .pool import FixturePool

pytestmark = pytest.mark.node


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.id)
def test_reference_answers_case_as_intended(case: Case, fixture_pool: FixturePool) -> None:
    running = fixture_pool.fixture(case.fixture)
    if case.reference_refuses:
        # The reference cannot load the supergraph at all (see the fixture's reference_refuses.txt): what
        # follows holds on the spec's answer, and the case says so only as long as the reference refuses.
        with pytest.raises(GatewayStartError):
            fixture_pool.reference(case.fixture)
        assert case.expect is not None
        answer = case.expect
    else:
        answer = running.run(fixture_pool.reference(case.fixture), case)
    if case.reference_wrong_data and not case.reference_refuses:
        # The reference's data is wrong by the spec here (see the case's comment): what follows holds on the
        # spec's answer, and the case says so only as long as the reference still differs.
        assert case.expect is not None, "reference_wrong_data needs the spec's answer in `expect`"
        assert answer.get("data") != case.expect.get("data"), "the reference now answers like the spec"
        answer = case.expect

    assert case.expect_errors or "data" in answer, f"no data in {answer}"
    errors = answer.get("errors") or []
    if case.expect_errors:
        assert errors, f"expected errors, got none: {answer}"
        if case.error_paths is not None:
            assert error_paths(answer) == set(case.error_paths), errors
    else:
        assert not errors, f"unexpected errors: {errors}"
    if not case.allow_nulls and "data" in answer:
        nulls = list(null_paths(answer.get("data")))
        assert not nulls, f"unexpected nulls at {nulls} in {answer.get('data')}"
    if case.expect is not None and "data" in case.expect and not case.reference_wrong_data:
        # The reference differs from the spec only in its errors here; its data must still be the spec's.
        assert answer.get("data") == case.expect["data"]
    for ref, value in case.checks.items():
        found = pointer(answer, ref)
        assert found is not MISSING, f"{ref} missing in {answer}"
        assert found == value, f"{ref}: expected {value!r}, got {found!r}"
