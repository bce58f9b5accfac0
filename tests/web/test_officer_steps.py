"""我的任务's cards from made-up cases: order, colour and which deadline a card shows (no stack needed)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from web.pages.officer_steps import next_steps, work_cards

TODAY = date(2026, 10, 30)
# one deadline of each kind per case (an event that meets a kind meets every earlier deadline of it)
KINDS = ("DECISION", "SERVICE", "PAYMENT", "STATEMENT")  # STATEMENT is the party's own period, never shown
MEETS = {"DECISION": "Decide", "SERVICE": "ServeDecision", "PAYMENT": "ConfirmPayment", "STATEMENT": "RecordStatement"}

deadline = st.fixed_dictionaries({"kind": st.sampled_from(KINDS), "offset": st.integers(-40, 40), "met": st.booleans()})
case = st.fixed_dictionaries({"status": st.sampled_from(["INVESTIGATING", "DECIDED", "CLOSED"]),
                              "deadlines": st.lists(deadline, max_size=4, unique_by=lambda d: d["kind"])})


def _graph_case(i: int, spec: dict[str, Any]) -> dict[str, Any]:
    deadlines, events = [], []
    for j, d in enumerate(spec["deadlines"]):
        deadlines.append({"kind": d["kind"], "unit": "CALENDAR_DAYS", "amount": 1, "eventSeq": 1,
                          "due": (TODAY + timedelta(days=d["offset"])).isoformat()})
        if d["met"]:
            events.append({"seq": 2 + j, "kind": MEETS[d["kind"]], "at": "2026-10-01T10:00:00+08:00"})
    return {"id": f"c{i}", "caseNo": f"NO-{i:03d}", "status": spec["status"], "itemCode": "X",
            "parties": [{"name": "某公司"}], "deadlines": deadlines, "events": events}


@given(st.lists(case, max_size=8))
def test_cards_show_the_nearest_unmet_body_deadline_most_pressing_first(specs: list[dict[str, Any]]) -> None:
    cases = [_graph_case(i, s) for i, s in enumerate(specs)]
    cards = work_cards(cases, {}, TODAY)
    assert [c["id"] for c in cards if c["deadline"] is None] == [c["id"] for c in cards[len(cards) - sum(
        1 for c in cards if c["deadline"] is None):]], "cards without a running deadline come last"
    lefts = [c["deadline"]["days_left"] for c in cards if c["deadline"]]
    assert lefts == sorted(lefts)
    for card, spec in ((c, specs[int(c["id"][1:])]) for c in cards):
        open_offsets = [d["offset"] for d in spec["deadlines"]
                        if not d["met"] and d["kind"] != "STATEMENT" and spec["status"] != "CLOSED"]
        if not open_offsets:
            assert card["deadline"] is None
            assert card["tone"] == "none"
            continue
        nearest = min(open_offsets)
        assert card["deadline"]["days_left"] == nearest
        assert card["tone"] == ("red" if nearest < 0 else "yellow" if nearest <= 3 else "plain")


def test_each_state_has_next_steps_in_chinese() -> None:
    assert "第六十一条" in "".join(next_steps("DECIDED"))
    assert next_steps("NO_SUCH_STATE")
