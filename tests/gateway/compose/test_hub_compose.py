"""`hub/compose.py`: compose and check from a config file, with SDL from files or from `_service`."""

from __future__ import annotations

import io
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.compose import check_command, compose_command
from tests.gateway.compose.harness import fed2
from tests.support.servers import serve

ACCOUNTS = fed2('type Query { me: User users(status: Status): [User] } type User @key(fields: "id") { id: ID! name: String } '
                "enum Status { ACTIVE INACTIVE }")
REVIEWS = fed2('type User @key(fields: "id") { id: ID! reviews: [String] }')


def _config(tmp_path: Path, entries: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(entries, encoding="utf-8")
    return path


def _files(tmp_path: Path, accounts: str = ACCOUNTS) -> Path:
    (tmp_path / "sdl").mkdir(exist_ok=True)
    (tmp_path / "sdl" / "accounts.graphql").write_text(accounts, encoding="utf-8")
    (tmp_path / "sdl" / "reviews.graphql").write_text(REVIEWS, encoding="utf-8")
    return _config(tmp_path, '[[compose.subgraphs]]\nname = "accounts"\nurl = "http://127.0.0.1:4001/graphql"\n'
                             'sdl_file = "sdl/accounts.graphql"\n\n[[compose.subgraphs]]\nname = "reviews"\n'
                             'url = "http://127.0.0.1:4002/graphql"\nsdl_file = "sdl/reviews.graphql"\n')


def test_compose_command_writes_a_loadable_supergraph(tmp_path: Path) -> None:
    from gateway.supergraph.loader import load_supergraph

    out = tmp_path / "out" / "supergraph.graphql"
    assert compose_command(_files(tmp_path), out, out=io.StringIO(), err=io.StringIO()) == 0
    supergraph = load_supergraph(out.read_text(encoding="utf-8"))
    assert set(supergraph.subgraphs) == {"accounts", "reviews"}
    assert supergraph.subgraphs["reviews"].url == "http://127.0.0.1:4002/graphql"


def test_compose_command_reports_errors_and_writes_nothing(tmp_path: Path) -> None:
    err = io.StringIO()
    config = _files(tmp_path, accounts=fed2('type Query { me: User } type User @key(fields: "id") { id: ID! reviews: Int }'))
    out = tmp_path / "supergraph.graphql"
    assert compose_command(config, out, out=io.StringIO(), err=err) == 1
    assert "INVALID_FIELD_SHARING" in err.getvalue() or "FIELD_TYPE_MISMATCH" in err.getvalue()
    assert not out.exists()


def test_bad_config_exits_2(tmp_path: Path) -> None:
    err = io.StringIO()
    config = _config(tmp_path, '[[compose.subgraphs]]\nname = "a"\n')
    assert compose_command(config, tmp_path / "x.graphql", out=io.StringIO(), err=err) == 2
    assert "SUBGRAPH_SOURCE_INVALID" in err.getvalue()


def test_sdl_is_fetched_from_a_running_subgraph(tmp_path: Path) -> None:
    async def graphql(request: Request) -> JSONResponse:
        body = await request.json()
        assert "_service" in body["query"]
        return JSONResponse({"data": {"_service": {"sdl": REVIEWS}}})

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    (tmp_path / "accounts.graphql").write_text(ACCOUNTS, encoding="utf-8")
    with serve(app) as base:
        config = _config(tmp_path, '[[subgraphs]]\nname = "accounts"\nurl = "http://127.0.0.1:4001/graphql"\n'
                                   f'sdl_file = "accounts.graphql"\n\n[[subgraphs]]\nname = "reviews"\nurl = "{base}/graphql"\n')
        out = tmp_path / "supergraph.graphql"
        assert compose_command(config, out, out=io.StringIO(), err=io.StringIO()) == 0
    assert "reviews: [String] @join__field(graph: REVIEWS)" in out.read_text(encoding="utf-8")


def test_check_command_fails_on_breaking_changes(tmp_path: Path) -> None:
    config = _files(tmp_path)
    before = tmp_path / "before.graphql"
    assert compose_command(config, before, out=io.StringIO(), err=io.StringIO()) == 0
    assert check_command(config, before, out=io.StringIO(), err=io.StringIO()) == 0
    _files(tmp_path, accounts=ACCOUNTS.replace("ACTIVE INACTIVE", "ACTIVE"))
    out = io.StringIO()
    assert check_command(config, before, out=out, err=io.StringIO()) == 1
    assert "BREAKING: ENUM_VALUE_REMOVED Status.INACTIVE" in out.getvalue()
