"""The case list's `caseNo` filter: the cases whose number contains the text, on both databases, with
LIKE's wildcards taken literally and a too short or too long text refused naming the argument."""

from __future__ import annotations

import pytest

from subgraphs.cases.listing import CaseFilter, ListInputError
from subgraphs.cases.queries import case_order, cases_listed

from . import harness as h
from .store_support import ORDINARY, open_store


async def test_a_part_of_the_number_selects_the_cases_that_contain_it(database_url: str) -> None:
    async with open_store(database_url) as store:
        numbers = [(await store.run([h.clue("2024-02-26", case_id=f"CASE-{i}"), *ORDINARY[1:3]])).case.case_no
                   for i in range(3)]
        assert len(set(numbers)) == 3
        for number in numbers:
            for part in (number, number[-6:], number[:8]):
                flt = CaseFilter(case_no=part)
                flt.check()
                page = await cases_listed(store.engine, flt, case_order(), after=None, limit=20)
                found = sorted(r.case_no for r in page.items)
                assert found == sorted(n for n in numbers if part in n), part
                assert page.total == len(found)
        for literal in ("%%%", "___"):  # wildcards are text here: no case number holds them
            page = await cases_listed(store.engine, CaseFilter(case_no=literal), case_order(), after=None, limit=20)
            assert page.items == []


@pytest.mark.parametrize("text", ["", "12", "9" * 41])
def test_a_text_outside_3_to_40_characters_is_refused(text: str) -> None:
    with pytest.raises(ListInputError) as refused:
        CaseFilter(case_no=text).check()
    assert refused.value.argument == "filter.caseNo"
