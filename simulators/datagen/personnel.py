"""Enforcement officers (执法人员) and their certificates (执法证).

Officers are persons of persons.jsonl (the persons reserved for officers, see `people.People`).
Every city- and county-level body gets at least one active legal reviewer (法制审核人员) holding the
national legal qualification (处罚法 Art. 58).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from domain import regions
from simulators.datagen.bodies import Body
from simulators.datagen.calendar import REFERENCE_DATE, add_years
from simulators.datagen.people import People, Person

# officers per body (low, high) by size and level
_OFFICERS_PER_BODY: dict[str, dict[str, tuple[int, int]]] = {
    "small": {"CITY": (4, 5), "COUNTY": (3, 4), "TOWN": (3, 3)},
    "medium": {"CITY": (15, 30), "COUNTY": (8, 15), "TOWN": (4, 8)},
    "large": {"CITY": (30, 60), "COUNTY": (15, 30), "TOWN": (6, 12)},
}
_POSTS: dict[str, tuple[str, ...]] = {
    "CITY": ("一级科员", "四级主任科员", "三级主任科员", "二级主任科员", "科长", "副科长", "执法支队队员"),
    "COUNTY": ("一级科员", "四级主任科员", "三级主任科员", "股长", "执法大队队员", "中队长"),
    "TOWN": ("执法队员", "一级科员", "四级主任科员", "综合行政执法办公室主任"),
}
CERT_VALIDITY_YEARS = 5
_EXPIRY_WINDOWS = ((1, 30), (31, 60), (61, 90))
#: statuses set by a decision on a day of their own (EXPIRED follows from valid_to, ACTIVE has none)
DATED_STATUSES = frozenset({"SUSPENDED", "REVOKED", "CANCELLED", "LOST"})


def officer_counts(rng: random.Random, size: str, bodies: tuple[Body, ...]) -> list[int]:
    """How many officers each body has (drawn from the officers stream)."""
    table = _OFFICERS_PER_BODY[size]
    return [rng.randint(*table[body.level]) for body in bodies]


@dataclass(frozen=True)
class Officer:
    id: str
    person: Person
    body: Body
    post: str
    staff_type: str
    legal_qualification_no: str | None
    is_legal_reviewer: bool
    training_hours: dict[str, int]
    status: str

    def row(self) -> dict[str, object]:
        return {
            "id": self.id,
            "id_number": self.person.id_number,
            "name": self.person.name,
            "gender": self.person.gender,
            "body_uscc": self.body.uscc,
            "post": self.post,
            "staff_type": self.staff_type,
            "has_legal_qualification": self.legal_qualification_no is not None,
            "legal_qualification_no": self.legal_qualification_no,
            "is_legal_reviewer": self.is_legal_reviewer,
            "training_hours": dict(self.training_hours),
            "status": self.status,
        }


def _training(rng: random.Random) -> dict[str, int]:
    low = rng.random() < 0.1  # some fall short of the 60-hour yearly target
    hours = {year: rng.randint(20, 59) if low else rng.randint(60, 96) for year in ("2024", "2025")}
    hours["2026"] = rng.randint(10, 59) if low else rng.randint(45, 90)  # the year is not over yet
    return hours


def officers(rng: random.Random, people: People, bodies: tuple[Body, ...], counts: list[int]) -> list[Officer]:
    """All officers, body by body, with ids OFF-000001 … in order."""
    result: list[Officer] = []
    k = 0
    for body, count in zip(bodies, counts, strict=True):
        reviewer_at = rng.randrange(count) if body.level in ("CITY", "COUNTY") else -1
        for position in range(count):
            person = people.person(people.officer_person(k))
            k += 1
            reviewer = position == reviewer_at
            r = rng.random()
            staff = "在编在职" if reviewer or r < 0.9 else "参照公务员法管理在编人员" if r < 0.95 else "聘用人员"
            qualified = reviewer or rng.random() < 0.12
            qualification = f"A{rng.randint(2008, 2024)}4451{k:07d}" if qualified else None
            is_reviewer = reviewer or (qualified and body.level != "TOWN" and rng.random() < 0.3)
            r = rng.random()
            if reviewer or r < 0.92:
                status = "ACTIVE"
            else:
                status = "RETIRED" if person.age() >= 55 and r >= 0.96 else "TRANSFERRED"
            result.append(Officer(f"OFF-{k:06d}", person, body, rng.choice(_POSTS[body.level]), staff, qualification,
                                  is_reviewer, _training(rng), status))
    return result


class CertificateIssuer:
    """Issues certificates in officer order; a few ACTIVE ones fall in each 30/60/90-day expiry window.

    The day a suspension, revocation or cancellation took effect (`status_changed_on`) is drawn from
    a stream of its own (`changes`), so adding it left every other value of the data set as it was.
    """

    def __init__(self, rng: random.Random, changes: random.Random | None = None) -> None:
        self._rng = rng
        self._changes = changes if changes is not None else random.Random(0)
        self._seq = 0
        self._windows = list(_EXPIRY_WINDOWS)

    def _dates(self, status: str) -> tuple[date, date]:
        rng = self._rng
        if status == "EXPIRED":
            valid_to = REFERENCE_DATE - timedelta(days=rng.randint(1, 700))
        elif status == "ACTIVE" and (self._windows or rng.random() < 0.06):
            low, high = self._windows.pop(0) if self._windows else (1, 90)
            valid_to = REFERENCE_DATE + timedelta(days=rng.randint(low, high))
        else:
            valid_to = REFERENCE_DATE + timedelta(days=rng.randint(91, CERT_VALIDITY_YEARS * 365 - 1))
        valid_from = add_years(valid_to + timedelta(days=1), -CERT_VALIDITY_YEARS)
        return valid_from, valid_to

    def _cert(self, officer: Officer, cert_type: str, status: str, issued_by: str) -> dict[str, object]:
        rng = self._rng
        self._seq += 1
        valid_from, valid_to = self._dates(status)
        body = officer.body
        prefix = {"GD_ADMIN": "", "NATIONAL_SECTOR": "YC", "SUPERVISION": "JD"}[cert_type]
        cert_no = f"{prefix}{body.region_code}{valid_from.year}{self._seq:06d}"
        area = [regions.CHAOZHOU_CITY] if body.level == "CITY" else [body.region_code]
        exam = valid_from - timedelta(days=rng.randint(20, 120))
        changed_on = self._changed_on(valid_from, valid_to) if status in DATED_STATUSES else None
        return {
            "cert_no": cert_no,
            "cert_type": cert_type,
            "officer_id": officer.id,
            "body_uscc": body.uscc,
            "area": area,
            "categories": ["行政执法监督"] if cert_type == "SUPERVISION" else list(body.domains),
            "power_source": body.power_source,
            "issued_by": issued_by,
            "issue_date": valid_from.isoformat(),
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat(),
            "status": status,
            "exam_passed_at": exam.isoformat(),
            "status_changed_on": None if changed_on is None else changed_on.isoformat(),
        }

    def _changed_on(self, valid_from: date, valid_to: date) -> date:
        """A day in [valid_from, min(valid_to, REFERENCE_DATE)]: the status change lies in the past."""
        last = min(valid_to, REFERENCE_DATE)
        span = max((last - valid_from).days, 0)
        return valid_from + timedelta(days=int(self._changes.random() * (span + 1)))

    def for_officer(self, officer: Officer) -> list[dict[str, object]]:
        """The certificates of one officer (聘用人员 hold none: 粤府令196号 Art. 6(1))."""
        if officer.staff_type == "聘用人员":
            return []
        rng = self._rng
        if officer.status != "ACTIVE":
            status = "CANCELLED"
        elif officer.is_legal_reviewer:
            status = "ACTIVE"
        else:
            r = rng.random()
            status = "EXPIRED" if r < 0.05 else "SUSPENDED" if r < 0.08 else "REVOKED" if r < 0.09 else "ACTIVE"
        tobacco = "烟草专卖" in officer.body.domains
        certs = [self._cert(officer, "NATIONAL_SECTOR" if tobacco else "GD_ADMIN", status,
                            "国家烟草专卖局" if tobacco else "潮州市司法局")]
        if officer.is_legal_reviewer and officer.status == "ACTIVE" and officer.body.level != "TOWN":
            certs.append(self._cert(officer, "SUPERVISION", "ACTIVE", "潮州市人民政府"))
        return certs

