"""The supervision service's identity towards the gateway: a client-credentials token from the identity
provider (over real HTTP), cached and renewed, sent on every facts request, renewed once when refused."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest

from hub.settings import Settings
from simulators.base import SimConfig
from simulators.identity.app import create_app as create_identity
from subgraphs.supervision.errors import FactsUnavailable
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.service_token import ServiceClient, ServiceToken, ServiceTokenError
from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.fake_gateway import FakeGateway
from tests.support.servers import serve

CLIENT, CLIENT_SECRET = "supervision-engine", "supervision-engine-secret"


async def test_token_is_fetched_once_renewed_before_expiry_and_refused_with_a_clear_error(small_seed: Path) -> None:
    now = [0.0]
    with serve(create_identity(SimConfig(data_dir=small_seed))) as idp:
        async with httpx.AsyncClient() as client:
            token = ServiceToken(client, f"{idp}/oauth/token", CLIENT, CLIENT_SECRET, clock=lambda: now[0])
            first = await token.get()
            assert await token.get() == first
            assert token.fetched == 1
            claims = jwt.decode(first, options={"verify_signature": False})
            assert claims["sub"] == CLIENT
            assert "SUPERVISOR" in claims["roles"]
            now[0] += claims["exp"] - claims["iat"] - 30  # inside the renewal margin
            assert await token.get() != first
            assert token.fetched == 2
            wrong = ServiceToken(client, f"{idp}/oauth/token", CLIENT, "not-the-secret")
            with pytest.raises(ServiceTokenError, match="refused the service client"):
                await wrong.get()
    async with httpx.AsyncClient() as client:
        with pytest.raises(ServiceTokenError, match="needs the token URL"):
            ServiceToken(client, "", CLIENT, CLIENT_SECRET)


async def test_facts_requests_carry_the_token_and_renew_it_once_when_refused(small_seed: Path) -> None:
    fake = FakeGateway(small_seed, SECRET)
    refused: set[str] = set()

    def gateway(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization", "").removeprefix("Bearer ") in refused:
            return httpx.Response(401, json={"errors": [{"message": "token refused"}]})
        return fake.handle(request)

    with serve(create_identity(SimConfig(data_dir=small_seed))) as idp:
        async with httpx.AsyncClient() as client, httpx.AsyncClient(transport=httpx.MockTransport(gateway)) as gw:
            token = ServiceToken(client, f"{idp}/oauth/token", CLIENT, CLIENT_SECRET)
            refused.add(await token.get())  # e.g. the gateway's keys rotated since
            facts = GatewayFacts(gw, "http://gateway.test/graphql", token=token)
            bodies = await facts.bodies({fake.bodies[0]["uscc"]})
            assert fake.bodies[0]["uscc"] in bodies
            assert token.fetched == 2
            sent = [h["authorization"].removeprefix("Bearer ") for h in fake.seen_headers]
            assert sent
            assert not set(sent) & refused
            assert {h["x-purpose-code"] for h in fake.seen_headers} == {"SUPERVISION"}  # every read states it
            # a client the gateway keeps refusing: a clear error, not a loop
            async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: httpx.Response(401))) as shut:
                always = GatewayFacts(shut, "http://gateway.test/graphql", token=token)
                with pytest.raises(FactsUnavailable, match="refused the supervision service"):
                    await always.bodies({"X"})


async def test_service_client_from_settings() -> None:
    client = httpx.AsyncClient()
    plain = ServiceClient.from_settings(Settings())
    assert plain.gateway_url == "http://127.0.0.1:4000/graphql"
    assert plain.token(client) is None  # dev: no secret, the dev header names the service
    bound = Settings(gateway={"host": "0.0.0.0", "port": 4100},
                     supervision={"client_secret": "s3cret", "token_url": "http://127.0.0.1:9/token"})
    service = ServiceClient.from_settings(bound)
    assert service.gateway_url == "http://127.0.0.1:4100/graphql"  # a wildcard bind address is not reachable
    assert isinstance(service.token(client), ServiceToken)
    explicit = Settings(supervision={"gateway_url": "http://hub-gateway:4000/graphql"})
    assert ServiceClient.from_settings(explicit).gateway_url == "http://hub-gateway:4000/graphql"
    assert ServiceClient.from_settings(explicit).token_url.endswith("/oauth/token")
    await client.aclose()
