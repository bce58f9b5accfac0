"""Who can sign in: test users of every role and the service clients.

Fixed demo users (password = "<username>-pass"):

    username     roles                      body                                 region
    officer1     OFFICER                    first officer's body (or the demo)   its region
    officer2     OFFICER                    same body as officer1                its region
    reviewer1    OFFICER, LEGAL_REVIEWER    same body as officer1                its region
    head1        BODY_HEAD                  same body as officer1                its region
    supervisor1  SUPERVISOR                 潮州市司法局 (11445100MB2D00022M)     445100
    auditor1     AUDITOR                    none                                 445100
    public1      PUBLIC                     none                                 none

With `officers.jsonl` present, officer1/officer2 are the first two officers of the first body that
has two (`sub` = their officer id, `name` = theirs); otherwise the demo body 11445102MB2D00014P
(湘桥区, 445102) is used. Every seeded officer can also sign in with username = officer id,
password "<id>-pass" (roles OFFICER, plus LEGAL_REVIEWER when `is_legal_reviewer` is true), and
every seeded body has a head: username "head-<uscc>", password "head-<uscc>-pass".

Service clients (client_credentials; secret = "<client_id>-secret", or the one `client_secrets` gives,
as a trial in the production form passes the hub's own):

    dept-system          DEPARTMENT_SYSTEM   a departmental system writing cases and reading registries
    supervision-engine   SUPERVISOR          the supervision rules engine (reads cases, writes alerts)
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

ROLES = ("OFFICER", "BODY_HEAD", "LEGAL_REVIEWER", "SUPERVISOR", "AUDITOR", "PUBLIC", "DEPARTMENT_SYSTEM")

_READ_REGISTRIES = ("population:read", "legal_person:read", "licence:read", "personnel:read")
_READ_CATALOGUES = ("catalogue:read", "regulations:read")

#: what each role may do; a token's scope is the union over its roles, in this order
ROLE_SCOPES: dict[str, tuple[str, ...]] = {
    "OFFICER": ("cases:read", "cases:write", *_READ_REGISTRIES, *_READ_CATALOGUES),
    "BODY_HEAD": ("cases:read", "cases:write", "cases:approve", *_READ_REGISTRIES, *_READ_CATALOGUES),
    "LEGAL_REVIEWER": ("cases:read", "cases:review", *_READ_REGISTRIES, *_READ_CATALOGUES),
    "SUPERVISOR": ("cases:read", "supervision:read", "supervision:write", "statistics:read",
                   *_READ_REGISTRIES, *_READ_CATALOGUES),
    "AUDITOR": ("audit:read", "cases:read", "statistics:read"),
    "PUBLIC": ("publicity:read",),
    "DEPARTMENT_SYSTEM": ("cases:read", "cases:write", "legal_person:read", "licence:read", *_READ_CATALOGUES),
}

DEMO_BODY_USCC = "11445102MB2D00014P"
DEMO_BODY_REGION = "445102"
JUSTICE_BUREAU_USCC = "11445100MB2D00022M"
CITY_REGION = "445100"


@dataclass(frozen=True)
class Principal:
    """The claims a token describes: a person or a service."""

    subject: str
    name: str
    roles: tuple[str, ...]
    body_uscc: str | None
    region_code: str | None
    client_id: str | None = None

    @property
    def scope(self) -> str:
        ordered: dict[str, None] = {}
        for role in self.roles:
            ordered.update(dict.fromkeys(ROLE_SCOPES[role]))
        return " ".join(ordered)


@dataclass(frozen=True)
class _Secret:
    digest: bytes

    @classmethod
    def of(cls, plain: str) -> _Secret:
        return cls(hashlib.sha256(plain.encode()).digest())

    def matches(self, plain: str) -> bool:
        return hmac.compare_digest(self.digest, hashlib.sha256(plain.encode()).digest())


class Directory:
    """Users (password grant) and clients (client_credentials grant) by name."""

    def __init__(self) -> None:
        self._users: dict[str, tuple[_Secret, Principal]] = {}
        self._clients: dict[str, tuple[_Secret, Principal]] = {}

    def add_user(self, username: str, password: str, principal: Principal) -> None:
        self._users.setdefault(username, (_Secret.of(password), principal))

    def add_client(self, client_id: str, secret: str, principal: Principal) -> None:
        self._clients[client_id] = (_Secret.of(secret), principal)

    def user(self, username: str, password: str) -> Principal | None:
        entry = self._users.get(username)
        return entry[1] if entry is not None and entry[0].matches(password) else None

    def client(self, client_id: str, secret: str) -> Principal | None:
        entry = self._clients.get(client_id)
        return entry[1] if entry is not None and entry[0].matches(secret) else None

    def usernames(self) -> list[str]:
        return list(self._users)

    def client_ids(self) -> list[str]:
        return list(self._clients)


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    rows = []
    with path.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                row = orjson.loads(raw)
                if isinstance(row, dict):
                    rows.append(row)
    return rows


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def build_directory(data_dir: Path, client_secrets: dict[str, str] | None = None) -> Directory:
    """Demo users and clients, plus one user per seeded officer and one head per seeded body.

    `client_secrets` (client id -> secret) replaces the demo secret of those clients."""
    given = client_secrets or {}
    bodies = {row["uscc"]: row for row in _rows(data_dir / "bodies.jsonl") if _text(row.get("uscc"))}
    officers = [row for row in _rows(data_dir / "officers.jsonl") if _text(row.get("id"))]
    directory = Directory()

    def region_of(body_uscc: str | None, fallback: Any = None) -> str | None:
        body = bodies.get(body_uscc or "")
        return _text(body.get("region_code")) if body else _text(fallback)

    _add_demo_users(directory, officers, region_of)
    for officer in officers:
        officer_id = str(officer["id"])
        body_uscc = _text(officer.get("body_uscc"))
        roles = ("OFFICER", "LEGAL_REVIEWER") if officer.get("is_legal_reviewer") is True else ("OFFICER",)
        principal = Principal(officer_id, _text(officer.get("name")) or officer_id, roles, body_uscc,
                              region_of(body_uscc, officer.get("region_code")))
        directory.add_user(officer_id, f"{officer_id}-pass", principal)
    for uscc, body in bodies.items():
        name = f"{_text(body.get('name')) or uscc}负责人"
        directory.add_user(f"head-{uscc}", f"head-{uscc}-pass",
                           Principal(f"head-{uscc}", name, ("BODY_HEAD",), uscc, _text(body.get("region_code"))))
    directory.add_client("dept-system", given.get("dept-system", "dept-system-secret"),
                         Principal("dept-system", "部门业务系统", ("DEPARTMENT_SYSTEM",), None, CITY_REGION,
                                   client_id="dept-system"))
    directory.add_client("supervision-engine", given.get("supervision-engine", "supervision-engine-secret"),
                         Principal("supervision-engine", "执法监督规则引擎", ("SUPERVISOR",), JUSTICE_BUREAU_USCC,
                                   CITY_REGION, client_id="supervision-engine"))
    return directory


def _add_demo_users(
    directory: Directory,
    officers: list[dict[str, Any]],
    region_of: Callable[[str | None, Any], str | None],
) -> None:
    by_body: dict[str, list[dict[str, Any]]] = {}
    for officer in officers:
        by_body.setdefault(str(officer.get("body_uscc")), []).append(officer)
    pair = next((group[:2] for group in by_body.values() if len(group) >= 2), None)
    if pair is not None:
        body_uscc = _text(pair[0].get("body_uscc"))
        region = region_of(body_uscc, pair[0].get("region_code"))
        first = Principal(str(pair[0]["id"]), _text(pair[0].get("name")) or "officer1", ("OFFICER",), body_uscc, region)
        second = Principal(str(pair[1]["id"]), _text(pair[1].get("name")) or "officer2", ("OFFICER",), body_uscc, region)
    else:
        body_uscc, region = DEMO_BODY_USCC, DEMO_BODY_REGION
        first = Principal("officer1", "陈执法", ("OFFICER",), body_uscc, region)
        second = Principal("officer2", "林执法", ("OFFICER",), body_uscc, region)
    demo = {
        "officer1": first,
        "officer2": second,
        "reviewer1": Principal("reviewer1", "黄法审", ("OFFICER", "LEGAL_REVIEWER"), body_uscc, region),
        "head1": Principal("head1", "郑局长", ("BODY_HEAD",), body_uscc, region),
        "supervisor1": Principal("supervisor1", "许监督", ("SUPERVISOR",), JUSTICE_BUREAU_USCC, CITY_REGION),
        "auditor1": Principal("auditor1", "吴审计", ("AUDITOR",), None, CITY_REGION),
        "public1": Principal("public1", "公众用户", ("PUBLIC",), None, None),
    }
    for username, principal in demo.items():
        directory.add_user(username, f"{username}-pass", principal)
