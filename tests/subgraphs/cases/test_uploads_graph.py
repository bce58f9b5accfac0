"""Resumable uploads and case file reads through the cases subgraph's GraphQL endpoint, over real HTTP."""

from __future__ import annotations

import base64
import os

import httpx

from domain.sm import sm3_hex

from .test_cases_subgraph import REGISTER, Client, World, clue, hub  # noqa: F401  (hub is a fixture)

SESSION = "id sm3 size received mediaType complete"
START = f"mutation($i: StartUploadInput!) {{ startUpload(input: $i) {{ {SESSION} }} }}"
PART = f"""mutation($id: ID!, $o: Int64!, $b: String!) {{
  uploadPart(uploadId: $id, offset: $o, contentBase64: $b) {{ {SESSION} }} }}"""
FINISH = "mutation($id: ID!) { finishUpload(uploadId: $id) { sm3 size fileRef } }"
STATE = f"query($id: ID!) {{ uploadSession(id: $id) {{ {SESSION} }} }}"
READ = """query($c: ID!, $h: String!, $o: Int64!, $n: Int!) {
  penaltyCaseFile(caseId: $c, sm3: $h, offset: $o, length: $n) { sm3 size offset mediaType contentBase64 } }"""
ATTACH = """mutation($id: ID!, $input: AttachDocumentInput!) { attachDocument(caseId: $id, input: $input) { version } }"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_upload_in_parts_then_read_it_back_through_the_case(hub: tuple[str, World]) -> None:  # noqa: F811
    base, world = hub
    video = os.urandom(2 * 1024 * 1024 + 12345)
    digest = sm3_hex(video)
    officer = {"id": world.officers[0], "body": world.body, "roles": ["OFFICER"]}
    async with httpx.AsyncClient(timeout=60) as http:
        c = Client(http, base, officer)
        s = (await c.ok(START, i={"sm3": digest, "size": len(video), "mediaType": "video/mp4"}))["startUpload"]
        assert (s["received"], s["complete"], s["size"]) == (0, False, len(video))
        mib = 1024 * 1024
        await c.ok(PART, id=s["id"], o=0, b=_b64(video[:mib]))
        gap = await c.error(PART, id=s["id"], o=2 * mib, b=_b64(video[2 * mib:]))
        assert (gap["code"], gap["field"], gap["received"]) == ("BAD_USER_INPUT", "offset", mib)
        replay = (await c.ok(PART, id=s["id"], o=0, b=_b64(video[:mib])))["uploadPart"]
        assert replay["received"] == mib
        assert (await c.ok(STATE, id=s["id"]))["uploadSession"]["received"] == mib
        stranger = Client(http, base, {"id": world.officers[1], "body": world.body, "roles": ["OFFICER"]})
        assert (await stranger.error(PART, id=s["id"], o=mib, b=_b64(video[mib:2 * mib])))["code"] == "FORBIDDEN"
        early = await c.error(FINISH, id=s["id"])
        assert early["code"] == "BAD_USER_INPUT"
        await c.ok(PART, id=s["id"], o=mib, b=_b64(video[mib:2 * mib]))
        await c.ok(PART, id=s["id"], o=2 * mib, b=_b64(video[2 * mib:]))
        done = (await c.ok(FINISH, id=s["id"]))["finishUpload"]
        assert (done["sm3"], done["size"]) == (digest, len(video))
        known = (await c.ok(START, i={"sm3": digest, "size": len(video), "mediaType": "video/mp4"}))["startUpload"]
        assert known["complete"]
        assert known["received"] == len(video)

        # a tampered upload: the bytes differ from the SM3 declared at capture
        photo = os.urandom(5000)
        t = (await c.ok(START, i={"sm3": sm3_hex(photo), "size": len(photo), "mediaType": "image/jpeg"}))["startUpload"]
        await c.ok(PART, id=t["id"], o=0, b=_b64(photo[::-1]))
        assert (await c.error(FINISH, id=t["id"]))["code"] == "BLOB_INVALID"
        assert (await http.get(f"{base}/files/{sm3_hex(photo)}", headers=c.headers)).status_code == 404

        # reading back: only a file attached to a case the caller may read
        company = {"partyType": "ORGANISATION", "name": "潮州某食品有限公司", "uscc": world.entity_uscc}
        case_id = (await c.ok(REGISTER, input=clue(world, company)))["registerClue"]["id"]
        unattached = await c.error(READ, c=case_id, h=digest, o=0, n=1024)
        assert unattached["code"] == "NOT_FOUND"
        await c.ok(ATTACH, id=case_id, input={"docType": "现场视频", "title": "执法记录仪视频", "sm3": digest,
                                               "mediaType": "video/mp4"})
        got = b""
        for _ in range(10):  # bounded: the file is three chunks of 1 MiB
            chunk = (await c.ok(READ, c=case_id, h=digest, o=len(got), n=mib))["penaltyCaseFile"]
            assert (chunk["size"], chunk["mediaType"], chunk["offset"]) == (len(video), "video/mp4", len(got))
            part = base64.b64decode(chunk["contentBase64"])
            if not part:
                break
            got += part
        assert got == video
        outsider = Client(http, base, {"id": "OFF-X", "body": world.other_body, "roles": ["OFFICER"]})
        assert (await outsider.ok(READ, c=case_id, h=digest, o=0, n=16))["penaltyCaseFile"] is None
        bad = await c.error(READ, c=case_id, h="zz", o=0, n=16)
        assert (bad["code"], bad["field"]) == ("BAD_USER_INPUT", "sm3")
