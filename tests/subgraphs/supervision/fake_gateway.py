"""A fake gateway on the wire (httpx.MockTransport) answering the supervision client's queries from
the generated data set, counting requests and root fields. Only the shapes the client sends."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from graphql import FieldNode, OperationDefinitionNode, parse, value_from_ast_untyped

from domain.sm import id_number_hash
from subgraphs.supervision.gateway_client import SERVICE_DOCUMENTS


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _officer(o: dict[str, Any], certs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": o["id"], "bodyUscc": o["body_uscc"], "hasLegalQualification": o["has_legal_qualification"],
            "isLegalReviewer": o["is_legal_reviewer"],
            "certificates": [{"certNo": c["cert_no"], "status": c["status"], "validFrom": c["valid_from"],
                              "validTo": c["valid_to"], "area": c["area"], "categories": c["categories"]}
                             for c in certs]}


@dataclass
class FakeGateway:
    seed_dir: Path
    secret: bytes
    requests: int = 0
    root_fields: list[str] = field(default_factory=list)
    persons_field: bool = True
    seen_headers: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bodies = sorted(_lines(self.seed_dir / "bodies.jsonl"), key=lambda b: b["uscc"])
        certs: dict[str, list[dict[str, Any]]] = {}
        for c in _lines(self.seed_dir / "certificates.jsonl"):
            certs.setdefault(c["officer_id"], []).append(c)
        self.officers = {o["id"]: _officer(o, certs.get(o["id"], [])) for o in _lines(self.seed_dir / "officers.jsonl")}
        self.persons = {(p["id_type"], id_number_hash(self.secret, p["id_type"], p["id_number"])): p["birth_date"]
                        for p in _lines(self.seed_dir / "persons.jsonl")}

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.seen_headers.append(dict(request.headers))
        body = json.loads(request.content)
        # a production gateway runs trusted documents only: the engine sends none but its registered ones
        assert body["query"] in SERVICE_DOCUMENTS, body["query"]
        doc = parse(body["query"])
        op = doc.definitions[0]
        assert isinstance(op, OperationDefinitionNode)
        variables = body.get("variables") or {}
        data: dict[str, Any] = {}
        for sel in op.selection_set.selections:
            assert isinstance(sel, FieldNode)
            name = sel.name.value
            self.root_fields.append(name)
            args = {a.name.value: value_from_ast_untyped(a.value, variables) for a in sel.arguments or ()}
            key = sel.alias.value if sel.alias else name
            if name == "searchEnforcementBodies":
                start = int(args.get("after") or 0)
                page = self.bodies[start:start + int(args["first"])]
                nxt = str(start + len(page)) if start + len(page) < len(self.bodies) else None
                data[key] = {"items": [{"uscc": b["uscc"], "level": b["level"], "regionCode": b["region_code"],
                                        "bodyType": b["body_type"], "entrustedBy": b["entrusted_by"],
                                        "itemCodes": b["item_codes"]} for b in page], "nextCursor": nxt}
            elif name == "searchOfficers":
                mine = sorted((o for o in self.officers.values() if o["bodyUscc"] == args["bodyUscc"]),
                              key=lambda o: o["id"])
                start = int(args.get("after") or 0)
                page = mine[start:start + int(args["first"])]
                nxt = str(start + len(page)) if start + len(page) < len(mine) else None
                data[key] = {"items": page, "nextCursor": nxt}
            elif name == "officer":
                data[key] = self.officers.get(args["id"])
            elif name == "supervisionPersons":
                if not self.persons_field:
                    return httpx.Response(200, json={"errors": [{"message": "unknown field", "extensions": {
                        "code": "GRAPHQL_VALIDATION_FAILED"}}]})
                data[key] = [{"idType": k["idType"], "idNumberHash": k["idNumberHash"],
                              "birthDate": self.persons.get((k["idType"], k["idNumberHash"]))}
                             for k in args["keys"]]
            else:
                return httpx.Response(200, json={"errors": [{"message": f"unknown field {name}"}]})
        return httpx.Response(200, json={"data": data})
