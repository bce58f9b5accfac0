"""Persons as pure functions of (seed, index): unique resident ID numbers by construction.

ID numbers come from a *slot space*: each slot is one (address code, birth date, sequence) triple,
laid out in segments per region and birth era so that a uniform slot gives a plausible mix of
districts and ages. A keyed permutation maps person i to a distinct slot, so ID numbers never
collide and no set of issued numbers is kept. Persons reserved for officers use sequences 900–998
and working-age birth dates, a slot space disjoint from everyone else's (sequences 1–899).
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date, timedelta

from domain import identifiers, regions
from simulators.datagen import addresses, names
from simulators.datagen.calendar import REFERENCE_DATE, age_on
from simulators.datagen.rng import Permutation, Rng, derive_seed, row_seed

# (first birth date, last birth date, relative births per day)
_ERAS: tuple[tuple[date, date, int], ...] = (
    (date(1926, 1, 1), date(1945, 12, 31), 2),
    (date(1946, 1, 1), date(1965, 12, 31), 6),
    (date(1966, 1, 1), date(1990, 12, 31), 9),
    (date(1991, 1, 1), date(2008, 12, 31), 8),
    (date(2009, 1, 1), REFERENCE_DATE - timedelta(days=1), 6),
)
# (address code, weight, last birth date or None)
_CHAOZHOU_WEIGHTS: tuple[tuple[str, float, date | None], ...] = (
    (regions.XIANGQIAO, 30, None),
    (regions.CHAOAN, 24, None),
    (regions.RAOPING, 28, None),
    (regions.CHAOAN_LEGACY, 8, date(2012, 12, 31)),
)
_OTHER_WEIGHT = 0.5  # per county of the sample table: about a tenth of all persons
_GENERAL_SEQ_START = 1
_OFFICER_SEQ_START = 900
_OFFICER_SEQS = 99
_OFFICER_REGIONS = (regions.XIANGQIAO, regions.CHAOAN_LEGACY, regions.RAOPING)
_OFFICER_BIRTHS = (date(1967, 1, 1), date(2002, 10, 31))

_MINORITIES = ("03", "08", "06", "15", "09", "12")
_SHE = "22"  # 畲族, living in the hills of 潮安


@dataclass(frozen=True)
class _Segment:
    region: str
    first_day: int  # date ordinal
    days: int
    seq_start: int
    per_day: int

    @property
    def size(self) -> int:
        return self.days * self.per_day


class SlotSpace:
    """Maps a slot number to (address code, birth date, sequence)."""

    def __init__(self, segments: list[_Segment]) -> None:
        self._segments = segments
        self._starts: list[int] = []
        total = 0
        for seg in segments:
            self._starts.append(total)
            total += seg.size
        self.size = total

    def locate(self, slot: int) -> tuple[str, date, int]:
        k = bisect.bisect_right(self._starts, slot) - 1
        seg = self._segments[k]
        offset = slot - self._starts[k]
        day, seq = divmod(offset, seg.per_day)
        return seg.region, date.fromordinal(seg.first_day + day), seg.seq_start + seq


def _general_space() -> SlotSpace:
    weights = [*_CHAOZHOU_WEIGHTS, *((code, _OTHER_WEIGHT, None) for code in regions.OTHER_COUNTIES)]
    segments: list[_Segment] = []
    for code, weight, last_birth in weights:
        for first, last, per_day in _ERAS:
            end = min(last, last_birth) if last_birth else last
            if end < first:
                continue
            segments.append(_Segment(code, first.toordinal(), (end - first).days + 1, _GENERAL_SEQ_START,
                                     max(1, round(weight * per_day))))
    return SlotSpace(segments)


def _officer_space() -> SlotSpace:
    first, last = _OFFICER_BIRTHS
    return SlotSpace([
        _Segment(code, first.toordinal(), (last - first).days + 1, _OFFICER_SEQ_START, _OFFICER_SEQS)
        for code in _OFFICER_REGIONS
    ])


@dataclass(frozen=True)
class Person:
    index: int
    id_number: str
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    household_address: str
    residence_address: str
    region_code: str
    mobile: str
    death_flag: bool

    def age(self, on: date = REFERENCE_DATE) -> int:
        return age_on(self.birth_date, on)

    def row(self) -> dict[str, object]:
        return {
            "id_type": "RESIDENT_ID",
            "id_number": self.id_number,
            "name": self.name,
            "gender": self.gender,
            "birth_date": self.birth_date.isoformat(),
            "ethnicity": self.ethnicity,
            "nationality": "CHN",
            "household_address": self.household_address,
            "residence_address": self.residence_address,
            "region_code": self.region_code,
            "mobile": self.mobile,
            "death_flag": self.death_flag,
        }


class People:
    """The population of one data set: `count` persons, of whom `officers` are reserved for officers.

    Officer k is person `officer_person(k)`; those persons are of working age, live in Chaozhou and
    are alive. Everything about person i depends only on (seed, i, count, officers).
    """

    def __init__(self, seed: int, count: int, officers: int) -> None:
        if not 0 <= officers <= count:
            raise ValueError(f"cannot reserve {officers} officers among {count} persons")
        self.count = count
        self.officers = officers
        self._stride = count // officers if officers else count + 1
        self._general = _general_space()
        self._officer = _officer_space()
        if officers > self._officer.size:
            raise ValueError("too many officers for the officer slot space")
        self._general_perm = Permutation(self._general.size, derive_seed(seed, "persons", "slots"))
        self._officer_perm = Permutation(self._officer.size, derive_seed(seed, "officers", "slots"))
        self._base = derive_seed(seed, "persons", "rows")
        self._rng = Rng()

    def officer_person(self, k: int) -> int:
        """The person index of officer k (0 <= k < officers)."""
        if not 0 <= k < self.officers:
            raise IndexError(k)
        return k * self._stride

    def is_officer_person(self, index: int) -> bool:
        return index % self._stride == 0 and index // self._stride < self.officers

    def person(self, index: int) -> Person:
        if not 0 <= index < self.count:
            raise IndexError(index)
        return self._build(index, self._slot(index))

    def _build(self, index: int, slot: tuple[str, date, int]) -> Person:
        region, born, seq = slot
        officer = self.is_officer_person(index)
        rng = self._rng
        rng.seed(row_seed(self._base, index))
        gender = "1" if seq % 2 else "2"
        id_number = identifiers.build_resident_id(region, born, seq)
        name = names.person_name(rng, gender)
        home = regions.current_code(region)
        in_city = regions.is_chaozhou(region)
        r = rng.random()
        if in_city and region in (regions.CHAOAN, regions.CHAOAN_LEGACY) and r < 0.006:
            ethnicity = _SHE
        elif r < 0.012:
            ethnicity = rng.choice(_MINORITIES)
        else:
            ethnicity = "01"
        household = addresses.address(rng, home)
        if in_city:
            moved = not officer and rng.random() < 0.2
            residence = addresses.chaozhou_address(rng, rng.choice(regions.CHAOZHOU_COUNTIES)) if moved else household
        else:
            residence = addresses.chaozhou_address(rng, rng.choice(regions.CHAOZHOU_COUNTIES)) \
                if rng.random() < 0.75 else household
        phone = addresses.mobile(rng)
        age = age_on(born, REFERENCE_DATE)
        death_chance = 0.12 if age >= 80 else 0.03 if age >= 65 else 0.002
        dead = not officer and rng.random() < death_chance
        return Person(index, id_number, name, gender, born, ethnicity, household, residence, home, phone, dead)

    def _slot(self, index: int) -> tuple[str, date, int]:
        if self.is_officer_person(index):
            return self._officer.locate(self._officer_perm(index // self._stride))
        return self._general.locate(self._general_perm(index))

    def adult(self, rng: random.Random, min_age: int = 18, max_age: int = 75, *, in_city: bool = False) -> Person:
        """A living adult who is not reserved for an officer, drawn with `rng` (deterministic)."""
        def candidate(index: int) -> Person | None:
            if self.is_officer_person(index):
                return None
            slot = self._slot(index)  # cheap pre-check before building the whole person
            if not min_age <= age_on(slot[1], REFERENCE_DATE) <= max_age:
                return None
            if in_city and not regions.is_chaozhou(slot[0]):
                return None
            person = self._build(index, slot)
            return None if person.death_flag else person

        for _ in range(64):
            found = candidate(rng.randrange(self.count))
            if found is not None:
                return found
        start = rng.randrange(self.count)  # tiny populations: scan once around the circle
        for step in range(self.count):
            found = candidate((start + step) % self.count)
            if found is not None:
                return found
        raise ValueError(f"no living adult aged {min_age}-{max_age} among {self.count} persons")
