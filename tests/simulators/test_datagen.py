"""The synthetic data generator: determinism, identifier validity and cross-file references."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.identifiers import (
    id18_check_char,
    is_valid_org_code,
    uscc_check_char,
    validate_resident_id,
    validate_uscc,
)
from simulators.datagen.calendar import REFERENCE_DATE
from simulators.datagen.generator import FILES, DatagenError, generate
from simulators.datagen.rng import Permutation, Rng

REFERENCE = date(2026, 11, 1)
CHAOZHOU = ("445102", "445103", "445122")
CERT_NO = re.compile(r"^[0-9A-Z]{6,20}$")


def load(folder: Path, stem: str) -> list[dict[str, Any]]:
    with (folder / f"{stem}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def data(small_seed: Path) -> dict[str, list[dict[str, Any]]]:
    return {stem: load(small_seed, stem) for stem in FILES}


def age(birth: str) -> int:
    born = date.fromisoformat(birth)
    return REFERENCE.year - born.year - ((REFERENCE.month, REFERENCE.day) < (born.month, born.day))


# --- determinism and format ------------------------------------------------------------------------


def test_same_arguments_give_byte_identical_trees(small_seed: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate("small", 7, again, progress=True)  # the progress bar must not change a byte
    assert tree(again) == tree(small_seed)
    assert sorted(tree(again)) == sorted([f"{stem}.jsonl" for stem in FILES] + ["manifest.json"])


def test_a_different_seed_gives_different_data(small_seed: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate("small", 8, other, progress=False)
    for stem in ("persons", "entities", "licences", "officers", "certificates"):
        assert (other / f"{stem}.jsonl").read_bytes() != (small_seed / f"{stem}.jsonl").read_bytes(), stem


def test_lines_are_canonical_json(small_seed: Path) -> None:
    for stem in FILES:
        raw = (small_seed / f"{stem}.jsonl").read_bytes()
        assert raw.endswith(b"\n")
        assert b"\r" not in raw
        for line in raw.decode("utf-8").splitlines():
            obj = json.loads(line)
            assert json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")) == line


def test_manifest_counts_match_the_files(small_seed: Path) -> None:
    manifest = json.loads((small_seed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["size"] == "small"
    assert manifest["seed"] == 7
    assert manifest["reference_date"] == "2026-11-01"
    assert manifest["generator_version"]
    assert set(manifest["counts"]) == set(FILES)
    for stem, count in manifest["counts"].items():
        lines = (small_seed / f"{stem}.jsonl").read_bytes().count(b"\n")
        assert lines == count, stem


def test_generate_returns_the_manifest(tmp_path: Path) -> None:
    manifest = generate("small", 3, tmp_path, progress=False)
    assert manifest == json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))


def test_unknown_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatagenError):
        generate("huge", 7, tmp_path, progress=False)


def test_small_sizes_are_as_specified(data: dict[str, list[dict[str, Any]]]) -> None:
    assert len(data["persons"]) == 1_000
    assert len(data["entities"]) == 300
    assert 30 <= len(data["items"]) <= 50
    assert len(data["bodies"]) >= 3 * 3 + 7
    assert 100 <= len(data["licences"]) <= 1_000
    assert len(data["officers"]) >= 3 * len(data["bodies"])


# --- persons ---------------------------------------------------------------------------------------


def test_person_ids_validate_and_agree_with_their_fields(data: dict[str, list[dict[str, Any]]]) -> None:
    ids = [p["id_number"] for p in data["persons"]]
    assert len(set(ids)) == len(ids)
    for p in data["persons"]:
        number = p["id_number"]
        check = validate_resident_id(number, today=REFERENCE)
        assert check.valid, (number, check.problems)
        assert id18_check_char(number[:17]) == number[17]
        assert p["gender"] == ("1" if int(number[16]) % 2 else "2")
        assert p["birth_date"].replace("-", "") == number[6:14]
        assert p["id_type"] == "RESIDENT_ID"
        assert p["nationality"] == "CHN"
        assert re.fullmatch(r"1[3-9][0-9]{9}", p["mobile"])
        assert re.fullmatch(r"[0-9]{2}", p["ethnicity"])
        assert 2 <= len(p["name"]) <= 4


def test_population_mix(data: dict[str, list[dict[str, Any]]]) -> None:
    persons = data["persons"]
    prefixes = Counter(p["id_number"][:6] for p in persons)
    assert sum(prefixes[c] for c in CHAOZHOU) > len(persons) / 2
    assert prefixes["445121"] > 0  # legacy 潮安县 numbers
    assert any(not p["id_number"].startswith("44") for p in persons)  # other provinces
    assert all(p["region_code"] != "445121" for p in persons)  # the region is today's code
    ages = [age(p["birth_date"]) for p in persons]
    assert any(a < 14 for a in ages)
    assert any(14 <= a < 18 for a in ages)
    assert any(a >= 75 for a in ages)
    assert 0 < sum(p["death_flag"] for p in persons) < len(persons) / 10
    assert any(len(p["name"]) == 2 for p in persons)
    assert any(len(p["name"]) == 3 for p in persons)
    assert Counter(p["name"][0] for p in persons).most_common(1)[0][0] == "陈"
    assert all(p["household_address"].startswith("广东省潮州市") for p in persons
               if p["id_number"].startswith("4451"))


# --- entities --------------------------------------------------------------------------------------


def test_entity_usccs_validate(data: dict[str, list[dict[str, Any]]]) -> None:
    usccs = [e["uscc"] for e in data["entities"]]
    assert len(set(usccs)) == len(usccs)
    for e in data["entities"]:
        code = e["uscc"]
        check = validate_uscc(code)
        assert check.problems == (), (code, check.problems)
        assert uscc_check_char(code[:17]) == code[17]
        assert e["org_code"] == code[8:17]
        assert is_valid_org_code(e["org_code"])
        assert re.fullmatch(r"[0-9]{15}", e["reg_no"])
        assert e["status"] in ("存续", "吊销", "注销")


def test_the_status_date_is_establishment_while_active_and_a_later_day_once_ended(
        data: dict[str, list[dict[str, Any]]]) -> None:
    ended = 0
    for e in data["entities"]:
        since, established = date.fromisoformat(e["status_date"]), date.fromisoformat(e["established_date"])
        if e["status"] == "存续":
            assert since == established
        else:
            ended += 1
            assert established < since < REFERENCE_DATE
    assert ended > 0


def test_entity_kinds_and_places(data: dict[str, list[dict[str, Any]]]) -> None:
    entities = data["entities"]
    for e in entities:
        if e["entity_category"] == "个体工商户":
            assert e["uscc"].startswith("92")
        elif e["org_form"] == "农民专业合作社":
            assert e["uscc"].startswith("93")
        else:
            assert e["uscc"].startswith("91")
        assert e["in_city"] == e["uscc"][2:6].startswith("4451")
        assert e["in_city"] == (e["region_code"] in CHAOZHOU)
    forms = {e["org_form"] for e in entities}
    assert {"个人独资企业", "农民专业合作社"} <= forms
    assert any(f.startswith("有限责任公司") for f in forms)
    assert any(not e["in_city"] for e in entities)
    assert Counter(e["entity_category"] for e in entities)["个体工商户"] > len(entities) / 3


def test_legal_representatives_are_generated_persons(data: dict[str, list[dict[str, Any]]]) -> None:
    persons = {p["id_number"]: p for p in data["persons"]}
    for e in data["entities"]:
        rep = persons.get(e["legal_rep_id_number"])
        assert rep is not None, e["uscc"]
        assert rep["name"] == e["legal_rep_name"]
        assert e["legal_rep_id_type"] == "RESIDENT_ID"
        assert age(rep["birth_date"]) >= 18
        assert not rep["death_flag"]


# --- licences --------------------------------------------------------------------------------------


def test_licence_holders_exist(data: dict[str, list[dict[str, Any]]]) -> None:
    persons = {p["id_number"]: p for p in data["persons"]}
    entities = {e["uscc"]: e for e in data["entities"]}
    bodies = {b["uscc"]: b for b in data["bodies"]}
    kinds = Counter(lic["holder_kind"] for lic in data["licences"])
    assert kinds["ENTITY"] > 0
    assert kinds["PERSON"] > 0
    ids = [lic["id"] for lic in data["licences"]]
    assert len(set(ids)) == len(ids)
    numbers = [lic["certificate_no"] for lic in data["licences"]]
    assert len(set(numbers)) == len(numbers)
    for lic in data["licences"]:
        if lic["holder_kind"] == "PERSON":
            assert lic["holder_uscc"] is None
            assert persons[lic["holder_id_number"]]["name"] == lic["holder_name"]
        else:
            assert lic["holder_id_number"] is None
            assert lic["holder_id_type"] is None
            assert entities[lic["holder_uscc"]]["name"] == lic["holder_name"]
        assert bodies[lic["issuing_authority_uscc"]]["name"] == lic["issuing_authority"]
        assert lic["valid_from"] <= lic["valid_to"]
        assert lic["decision_date"] <= REFERENCE.isoformat()
        if lic["status"] == "VALID":
            assert lic["valid_to"] >= REFERENCE.isoformat()
        if lic["status"] == "EXPIRED":
            assert lic["valid_to"] < REFERENCE.isoformat()
    assert {"VALID", "EXPIRED", "REVOKED"} <= {lic["status"] for lic in data["licences"]}


# --- bodies, officers, certificates, items ---------------------------------------------------------


def test_bodies(data: dict[str, list[dict[str, Any]]]) -> None:
    bodies = data["bodies"]
    by_uscc = {b["uscc"]: b for b in bodies}
    assert len(by_uscc) == len(bodies)
    items = {i["code"]: i for i in data["items"]}
    assert {b["level"] for b in bodies} == {"CITY", "COUNTY", "TOWN"}
    assert {b["region_code"] for b in bodies if b["level"] == "COUNTY"} == set(CHAOZHOU)
    for b in bodies:
        assert validate_uscc(b["uscc"]).problems == ()
        if b["body_type"] == "ADMIN_ORGAN":
            assert b["uscc"].startswith("11")
        if b["body_type"] == "ENTRUSTED_ORG":
            assert b["entrusted_by"] in by_uscc
        if b["parent_uscc"] is not None:
            assert b["parent_uscc"] in by_uscc
        if b["level"] == "TOWN":
            assert b["power_source"] == "赋权乡镇街道"
            assert b["name"].endswith("综合行政执法办公室")
        assert b["item_codes"]
        for code in b["item_codes"]:
            assert items[code]["domain"] in b["domains"]
    assert len({b["short_name"] for b in bodies}) == len(bodies)


def test_officers_are_persons_and_reviewers_exist(data: dict[str, list[dict[str, Any]]]) -> None:
    persons = {p["id_number"]: p for p in data["persons"]}
    officers = data["officers"]
    assert len({o["id"] for o in officers}) == len(officers)
    assert len({o["id_number"] for o in officers}) == len(officers)
    for o in officers:
        person = persons[o["id_number"]]
        assert (person["name"], person["gender"]) == (o["name"], o["gender"])
        assert re.fullmatch(r"OFF-[0-9]{6}", o["id"])
        assert set(o["training_hours"]) == {"2024", "2025", "2026"}
        assert o["has_legal_qualification"] == (o["legal_qualification_no"] is not None)
    staff = Counter(o["staff_type"] for o in officers)
    assert staff.most_common(1)[0][0] == "在编在职"
    per_body = Counter(o["body_uscc"] for o in officers)
    for b in data["bodies"]:
        assert per_body[b["uscc"]] >= 3, b["name"]
        if b["level"] in ("CITY", "COUNTY"):
            assert any(o["is_legal_reviewer"] and o["has_legal_qualification"] and o["status"] == "ACTIVE"
                       for o in officers if o["body_uscc"] == b["uscc"]), b["name"]


def test_certificates(data: dict[str, list[dict[str, Any]]]) -> None:
    officers = {o["id"]: o for o in data["officers"]}
    certs = data["certificates"]
    assert len({c["cert_no"] for c in certs}) == len(certs)
    for c in certs:
        assert CERT_NO.fullmatch(c["cert_no"]), c["cert_no"]
        assert c["officer_id"] in officers
        assert c["body_uscc"] == officers[c["officer_id"]]["body_uscc"]
        assert c["exam_passed_at"] <= c["issue_date"] <= c["valid_from"] < c["valid_to"]
        if c["status"] == "ACTIVE":
            assert c["valid_to"] >= REFERENCE.isoformat()
        if c["status"] == "EXPIRED":
            assert c["valid_to"] < REFERENCE.isoformat()
        if c["status"] in ("SUSPENDED", "REVOKED", "CANCELLED", "LOST"):  # the day the decision took effect
            assert c["valid_from"] <= c["status_changed_on"] <= min(c["valid_to"], REFERENCE.isoformat())
        else:
            assert c["status_changed_on"] is None
    statuses = Counter(c["status"] for c in certs)
    assert statuses.most_common(1)[0][0] == "ACTIVE"
    assert {"EXPIRED", "SUSPENDED"} <= set(statuses)
    days = [(date.fromisoformat(c["valid_to"]) - REFERENCE).days for c in certs if c["status"] == "ACTIVE"]
    for low, high in ((0, 30), (31, 60), (61, 90)):
        assert any(low <= d <= high for d in days), (low, high)


def test_items(data: dict[str, list[dict[str, Any]]]) -> None:
    items = data["items"]
    assert len({i["code"] for i in items}) == len(items)
    assert {"PENALTY", "INSPECTION", "COERCIVE_MEASURE", "COERCIVE_EXECUTION"} == {i["action_type"] for i in items}
    assert len({i["domain"] for i in items}) >= 6
    for i in items:
        rule = i["fine_rule"]
        if rule["type"] == "FIXED_RANGE":
            assert 0 <= rule["min_fen"] <= rule["max_fen"]
            for band in i["discretion_benchmarks"]:
                assert 0 <= band["min_fen"] <= band["max_fen"] <= rule["max_fen"]
        if i["action_type"] == "PENALTY":
            assert i["allowed_kinds"]
            assert i["penalty_provisions"]
            assert rule["type"] != "NONE"
            assert i["hearing_threshold_individual_fen"] <= i["hearing_threshold_org_fen"]
        else:
            assert rule["type"] == "NONE"
            assert i["discretion_benchmarks"] == []
        if i["first_violation_no_penalty"]:
            assert i["discretion_benchmarks"][0]["circumstance_level"] == "不予处罚"


# --- building blocks -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5_000), st.integers(0, 2**64 - 1))
def test_permutation_is_a_bijection(size: int, key: int) -> None:
    perm = Permutation(size, key)
    assert sorted(perm(i) for i in range(size)) == list(range(size))


@given(st.integers(0, 2**64 - 1), st.integers(-5, 5), st.integers(0, 20))
def test_fast_draws_stay_in_range(seed: int, low: int, width: int) -> None:
    rng = Rng(seed)
    for _ in range(20):
        assert low <= rng.randint(low, low + width) <= low + width
        assert low <= rng.randrange(low, low + width + 1) <= low + width
        assert rng.choice("abc") in "abc"
