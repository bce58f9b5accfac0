"""Two small Strawberry subgraphs with personal data, and their supergraph composed by hand.

* ``people`` (a department's registry): `Person` with @sensitive name / idNumber / mobile, an
  ID-number lookup that needs the ``population:read`` scope, public notices;
* ``cases`` (the hub's own data): cases that need ``cases:read``, each with a party `Person`,
  a note that needs ``cases:approve``, a `Vault` type protected as a whole, an auditor-only field.

`Recorder` keeps the headers and body of every request a subgraph receives (for replay tests and
for checking what the gateway did or did not fetch).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import strawberry
from strawberry.asgi import GraphQL
from strawberry.federation.schema_directives import Authenticated, FieldSet, Key, Policy, RequiresScopes

from domain.sm import sm2_generate_keypair
from gateway.audit.log import AccessLog, AnchorKey
from gateway.audit.sql_store import SqlAccessLog
from gateway.secure import create_secure_app
from gateway.security.config import SecurityConfig
from gateway.security.jwt_auth import JwtSettings
from gateway.security.ratelimit import RateLimit
from simulators.base import SimConfig
from simulators.identity.app import create_app as create_identity
from subgraphs.common.directives import Sensitive
from subgraphs.common.migrate import upgrade_sync
from subgraphs.common.security import protect
from tests.gateway.sdl import JOIN_V03_PREAMBLE
from tests.support.servers import serve
from trust.signing import SigningKey

# 18-character test ID numbers: none may ever appear in a log line or the stored access log
PEOPLE = {
    "h-zhang": ("张三", "445102199003071230", "13812345678", "慢性病随访"),
    "h-ouyang": ("欧阳小明", "44510219851111002X", "13900001111", None),
}
ID_NUMBERS = tuple(p[1] for p in PEOPLE.values())
BY_ID = {p[1]: key for key, p in PEOPLE.items()}
CASES = [("c1", "占道经营", "h-zhang", "拟从轻"), ("c2", "无证经营", "h-ouyang", None)]


@strawberry.federation.type(keys=["idHash"])
class Person:
    id_hash: str
    name: str = strawberry.federation.field(directives=[Sensitive(level="S2", mask="NAME")])
    id_number: str = strawberry.federation.field(directives=[Sensitive(level="S3", mask="ID18"),
                                                             RequiresScopes(scopes=[["population:read"]])])
    mobile: str | None = strawberry.federation.field(directives=[Sensitive(level="S2", mask="MOBILE")])
    health_note: str | None = strawberry.federation.field(directives=[Policy(policies=[["supervision"]])])

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Person | None:
        return _person(str(representation.get("idHash", "")))


def _person(key: str) -> Person | None:
    found = PEOPLE.get(key)
    if found is None:
        return None
    name, id_number, mobile, note = found
    return Person(id_hash=key, name=name, id_number=id_number, mobile=mobile, health_note=note)


@strawberry.type
class Notice:
    id: strawberry.ID
    title: str


@strawberry.type
class PeopleQuery:
    @strawberry.field(directives=[Authenticated()])
    def person(self, id_hash: str) -> Person | None:
        return _person(id_hash)

    @strawberry.field(directives=[RequiresScopes(scopes=[["population:read"]])])
    def person_by_id_number(self, id_number: str) -> Person | None:
        key = BY_ID.get(id_number)
        return _person(key) if key else None

    @strawberry.field
    def notices(self) -> list[Notice]:
        return [Notice(id=strawberry.ID("n1"), title="公示")]


@strawberry.federation.type(directives=[Key(fields=FieldSet("idHash"), resolvable=False)], name="Person")
class PersonRef:
    id_hash: str


@strawberry.type(directives=[RequiresScopes(scopes=[["cases:approve"]])])
class Vault:
    code: str


@strawberry.federation.type(keys=["id"])
class Case:
    id: strawberry.ID
    title: str
    party: PersonRef
    secret_note: str | None = strawberry.federation.field(directives=[RequiresScopes(scopes=[["cases:approve"]])])


@strawberry.type
class CasesQuery:
    @strawberry.field(directives=[RequiresScopes(scopes=[["cases:read"]])])
    def cases(self) -> list[Case]:
        return [Case(id=strawberry.ID(i), title=t, party=PersonRef(id_hash=p), secret_note=n) for i, t, p, n in CASES]

    @strawberry.field
    def vault(self) -> Vault:
        return Vault(code="V-42")

    @strawberry.field(directives=[Policy(policies=[["audit"]])])
    def audit_trail(self) -> str:
        return "trail"


def people_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=PeopleQuery, types=[Person], federation_version="2.6")


def cases_schema() -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=CasesQuery, types=[Case, PersonRef], federation_version="2.6")


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Recorder:
    """ASGI wrapper: records each request (headers, body) before the wrapped app sees it."""

    app: Any
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                with contextlib.suppress(asyncio.CancelledError):
                    while True:
                        message = await receive()
                        await send({"type": message["type"] + ".complete"})
                        if message["type"] == "lifespan.shutdown":
                            return
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.seen.append(Seen(scope["path"], headers, body))
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        await self.app(scope, replay, send)


def graphql_app(schema: strawberry.federation.Schema) -> GraphQL[Any, Any]:
    return GraphQL(schema, graphql_ide=None)


LINKS = '''@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)
  @link(url: "https://enforcement-hub.example/sensitive/v1.0", import: ["@sensitive"])'''

DEFINITIONS = '''
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @sensitive(level: String!, mask: String!) on FIELD_DEFINITION
scalar requiresScopes__Scope
scalar policy__Policy
'''

TYPES = '''
type Query @join__type(graph: PEOPLE) @join__type(graph: CASES) {
  person(idHash: String!): Person @join__field(graph: PEOPLE) @authenticated
  personByIdNumber(idNumber: String!): Person @join__field(graph: PEOPLE) @requiresScopes(scopes: [["population:read"]])
  notices: [Notice!]! @join__field(graph: PEOPLE)
  cases: [Case!]! @join__field(graph: CASES) @requiresScopes(scopes: [["cases:read"]])
  vault: Vault! @join__field(graph: CASES)
  auditTrail: String! @join__field(graph: CASES) @policy(policies: [["audit"]])
}

type Person @join__type(graph: PEOPLE, key: "idHash") @join__type(graph: CASES, key: "idHash", resolvable: false) {
  idHash: String!
  name: String! @join__field(graph: PEOPLE) @sensitive(level: "S2", mask: "NAME")
  idNumber: String! @join__field(graph: PEOPLE) @sensitive(level: "S3", mask: "ID18") @requiresScopes(scopes: [["population:read"]])
  mobile: String @join__field(graph: PEOPLE) @sensitive(level: "S2", mask: "MOBILE")
  healthNote: String @join__field(graph: PEOPLE) @policy(policies: [["supervision"]])
}

type Notice @join__type(graph: PEOPLE) {
  id: ID!
  title: String!
}

type Case @join__type(graph: CASES, key: "id") {
  id: ID!
  title: String!
  party: Person!
  secretNote: String @requiresScopes(scopes: [["cases:approve"]])
}

type Vault @join__type(graph: CASES) @requiresScopes(scopes: [["cases:approve"]]) {
  code: String!
}
'''


def secure_supergraph(urls: dict[str, str]) -> str:
    preamble = JOIN_V03_PREAMBLE.replace('@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)', LINKS)
    preamble = preamble % {"extra_roots": ""}
    enum = "\n".join(f'  {name.upper()} @join__graph(name: "{name}", url: "{url}")' for name, url in urls.items())
    return preamble + DEFINITIONS + "\nenum join__Graph {\n" + enum + "\n}\n" + TYPES


# --- the whole stack on loopback: identity provider, two signed subgraphs, the production gateway ----

SIGNING_KEY = SigningKey("gw-test", b"test-only-signing-secret-0123456789abcdef")


@dataclass
class Stack:
    gateway: str
    idp: str
    people: Recorder
    cases: Recorder
    subgraph_urls: dict[str, str]
    access_log: AccessLog
    access_log_url: str
    anchor_public_keys: dict[str, str]
    identity: Any = None  # the identity simulator's app (its key ring signs hand-made tokens)

    def mint(self, claims: dict[str, Any]) -> str:
        """A token with exactly `claims`, signed by the identity simulator's current key."""
        key = self.identity.state.keys.current
        return str(jwt.encode(claims, key.private_key, algorithm="ES256", headers={"kid": key.kid}))

    def token(self, username: str | None = None, *, client: str | None = None, **form: str) -> str:
        data = dict(form)
        if client is not None:
            data.update(grant_type="client_credentials", client_id=client, client_secret=f"{client}-secret")
        else:
            assert username is not None
            data.update(grant_type="password", username=username, password=f"{username}-pass")
        response = httpx.post(f"{self.idp}/oauth/token", data=data, timeout=5)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


@contextlib.contextmanager
def secure_stack(tmp: Path, *, config_changes: dict[str, Any] | None = None) -> Iterator[Stack]:
    """Production profile gateway over real HTTP; the access log in a migrated SQLite database."""
    database = tmp / "hub.db"
    url = f"sqlite:///{database}"
    upgrade_sync(url)
    keys = sm2_generate_keypair()
    people = Recorder(protect(graphql_app(people_schema()), keys=[SIGNING_KEY], required=True))
    cases = Recorder(protect(graphql_app(cases_schema()), keys=[SIGNING_KEY], required=True))
    identity = create_identity(SimConfig(data_dir=tmp, credentials={"ephemeral_keys": "1", "allow_test_expiry": "1"}))
    with contextlib.ExitStack() as stack:
        idp = stack.enter_context(serve(identity))
        urls = {"people": stack.enter_context(serve(people)) + "/graphql",
                "cases": stack.enter_context(serve(cases)) + "/graphql"}
        path = tmp / "supergraph.graphql"
        path.write_text(secure_supergraph(urls), encoding="utf-8")
        config = SecurityConfig.production(
            jwt=JwtSettings(jwks_url=f"{idp}/jwks.json", issuer=idp, audience="enforcement-hub"),
            signing_key=SIGNING_KEY,
            **{"rate_limit": RateLimit(capacity=10_000, refill_per_s=1000), **(config_changes or {})})
        access_log = AccessLog(SqlAccessLog(url), anchor_key=AnchorKey("audit-test", keys.private_key),
                               anchor_every=5)
        app = create_secure_app(str(path), config, access_log=access_log, local_subgraphs=["cases"],
                                subgraph_timeout_s=5.0, poll_interval_s=None)
        gateway = stack.enter_context(serve(app))
        yield Stack(gateway, idp, people, cases, urls, access_log, url, {"audit-test": keys.public_key}, identity)
