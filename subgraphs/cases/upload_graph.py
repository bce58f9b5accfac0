"""The graph's resumable uploads and case file reads (断点续传, 卷宗文件读取).

    startUpload(input: {sm3, size, mediaType}) -> UploadSession   declare the file (SM3 taken on the device)
    uploadPart(uploadId, offset, contentBase64) -> UploadSession  up to 1 MiB from `offset`; a replay is a no-op
    finishUpload(uploadId) -> UploadedFile                        re-hash; a different SM3 is BLOB_INVALID
    uploadSession(id) -> UploadSession                            how much arrived: resume from `received`
    penaltyCaseFile(caseId, sm3, offset, length) -> FileChunk     a document's or evidence file's bytes, in
                                                                  chunks, for a caller who may read the case

A part that starts past `received` is BAD_USER_INPUT with `extensions.received`; a session started
by another subject is FORBIDDEN. Files are read only through a case the caller may read, and only
when attached to it (a document or an evidence record): a bare hash opens nothing.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import select
from strawberry.types import Info

from subgraphs.cases.blobs import check_sm3
from subgraphs.cases.context import CasesContext
from subgraphs.cases.errors import BlobError, CaseServiceError
from subgraphs.cases.mutations import require_user
from subgraphs.cases.rows import DocumentRow, EvidenceRow
from subgraphs.cases.scalars import Int64
from subgraphs.cases.types import UploadedFile
from subgraphs.cases.uploads import MAX_PART_BYTES, UploadGap, UploadState
from subgraphs.common.directives import MaxLength, Sensitive
from subgraphs.common.errors import graphql_error

__all__ = ["FileChunk", "UploadSession", "penalty_case_file", "upload_mutations", "upload_session"]

log = logging.getLogger("subgraphs.cases.uploads")

#: the largest chunk `penaltyCaseFile` answers (bytes)
MAX_READ_BYTES = 1024 * 1024
_PART_BASE64 = 4 * -(-MAX_PART_BYTES // 3)


@strawberry.type(description="上传会话 — a resumable upload: the declared file and how many bytes arrived.")
class UploadSession:
    id: strawberry.ID = strawberry.field(description="会话标识 — give it with every part")
    sm3: str = strawberry.field(description="哈希值 — the SM3 declared at the start (taken on the device)")
    size: Int64 = strawberry.field(description="大小 — the declared size in bytes")
    received: Int64 = strawberry.field(description="已接收 — bytes stored so far: send the next part from here")
    media_type: str = strawberry.field(description="文件类型 — the declared media type")
    complete: bool = strawberry.field(description="已完成 — the file is stored (finished, or already known)")

    @classmethod
    def of(cls, state: UploadState) -> UploadSession:
        return cls(id=strawberry.ID(state.id), sm3=state.sm3, size=Int64(state.size),
                   received=Int64(state.received), media_type=state.media_type, complete=state.complete)


@strawberry.input(description="开始上传 — the file about to be sent in parts.")
class StartUploadInput:
    sm3: str = strawberry.field(description="哈希值 — SM3 of the whole file, taken on the device at capture")
    size: Int64 = strawberry.field(description="大小 — the file's size in bytes")
    media_type: str = strawberry.field(description="文件类型 — e.g. video/mp4, image/jpeg")


@strawberry.type(description="文件片段 — bytes of a case's document or evidence file, from `offset`.")
class FileChunk:
    sm3: str = strawberry.field(description="哈希值 — SM3 of the whole file")
    size: Int64 = strawberry.field(description="大小 — the whole file's size in bytes")
    offset: Int64 = strawberry.field(description="起点 — where these bytes start")
    media_type: str = strawberry.field(description="文件类型 — as recorded when the file was attached")
    content_base64: str | None = strawberry.federation.field(
        description="内容 — the bytes, base64-encoded; documents and evidence carry personal data, so it is "
                    "withheld (null) from callers who may not read personal data in clear",
        directives=[Sensitive(level="S3", mask="WITHHELD")])


def _subject(info: Info[CasesContext, None]) -> str:
    user = require_user(info)
    if not user.writer:
        raise graphql_error("FORBIDDEN", "this caller may not add case files")
    return str(user.id)


def _failed(exc: CaseServiceError) -> GraphQLError:
    if isinstance(exc, UploadGap):
        return graphql_error(exc.code, str(exc), field="offset", received=exc.received)
    return graphql_error(exc.code, str(exc))


async def start_upload(
    info: Info[CasesContext, None],
    input: Annotated[StartUploadInput, strawberry.argument(description="文件 — what will be sent")],
) -> UploadSession:
    owner = _subject(info)
    try:
        return UploadSession.of(info.context.res.uploads.start(owner, sm3=input.sm3, size=int(input.size),
                                                               media_type=input.media_type.strip()))
    except CaseServiceError as exc:
        raise _failed(exc) from exc


async def upload_part(
    info: Info[CasesContext, None],
    upload_id: Annotated[strawberry.ID, strawberry.argument(description="会话标识 — from startUpload")],
    offset: Annotated[Int64, strawberry.argument(description="起点 — byte offset of this part in the file")],
    content_base64: Annotated[str, strawberry.argument(
        description="内容 — up to 1 MiB of the file, base64-encoded",
        directives=[MaxLength(max=_PART_BASE64)])],
) -> UploadSession:
    owner = _subject(info)
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise graphql_error("BAD_USER_INPUT", "contentBase64 is not base64", field="contentBase64") from exc
    try:
        state = await info.context.res.uploads.append(owner, str(upload_id), offset=int(offset), data=data)
    except CaseServiceError as exc:
        raise _failed(exc) from exc
    return UploadSession.of(state)


async def finish_upload(
    info: Info[CasesContext, None],
    upload_id: Annotated[strawberry.ID, strawberry.argument(description="会话标识 — from startUpload")],
) -> UploadedFile:
    owner = _subject(info)
    try:
        stored = await info.context.res.uploads.finish(owner, str(upload_id))
    except CaseServiceError as exc:
        raise _failed(exc) from exc
    return UploadedFile(sm3=stored.sm3, size=Int64(stored.size), file_ref=stored.file_ref)


async def upload_session(
    info: Info[CasesContext, None],
    id: Annotated[strawberry.ID, strawberry.argument(description="会话标识 — from startUpload")],
) -> UploadSession | None:
    owner = _subject(info)
    try:
        return UploadSession.of(info.context.res.uploads.get(owner, str(id)))
    except CaseServiceError as exc:
        if exc.code == "NOT_FOUND":
            return None
        raise _failed(exc) from exc


async def penalty_case_file(
    info: Info[CasesContext, None],
    case_id: Annotated[strawberry.ID, strawberry.argument(description="案件标识 — the case the file belongs to")],
    sm3: Annotated[str, strawberry.argument(description="哈希值 — SM3 of the document or evidence file")],
    offset: Annotated[Int64, strawberry.argument(description="起点 — first byte to read")] = Int64(0),
    length: Annotated[int, strawberry.argument(
        description="长度 — bytes to read, 1–1048576 (default 1 MiB)")] = MAX_READ_BYTES,
) -> FileChunk | None:
    ctx = info.context
    try:
        digest = check_sm3(sm3)
    except BlobError as exc:
        raise graphql_error("BAD_USER_INPUT", str(exc), field="sm3") from exc
    if not 1 <= length <= MAX_READ_BYTES:
        raise graphql_error("BAD_USER_INPUT", f"length must be 1–{MAX_READ_BYTES}", field="length")
    if int(offset) < 0:
        raise graphql_error("BAD_USER_INPUT", "offset must not be negative", field="offset")
    record = await ctx.case_to_read(str(case_id))
    if record is None:
        return None
    media = await _attached(ctx, record.case_id, digest)
    if media is None:
        raise graphql_error("NOT_FOUND", f"no file {digest} is attached to case {record.case_id}")
    path = ctx.res.blobs.path_of(digest)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            fh.seek(int(offset))
            data = fh.read(length)
    except FileNotFoundError as exc:
        log.error("case %s: attached file %s is missing from the file store", record.case_id, digest)
        raise graphql_error("BLOB_INVALID", f"the stored file {digest} is missing") from exc
    log.info("case %s: file %s read from %d (%d bytes)", record.case_id, digest, int(offset), len(data))
    return FileChunk(sm3=digest, size=Int64(size), offset=offset, media_type=media,
                     content_base64=base64.b64encode(data).decode("ascii"))


async def _attached(ctx: CasesContext, case_id: str, digest: str) -> str | None:
    """The media type the file was attached with to the case (a document first, then evidence)."""
    async with ctx.res.engine.connect() as conn:
        for row in (DocumentRow, EvidenceRow):
            found = (await conn.execute(select(row.media_type).where(row.case_id == case_id, row.sm3 == digest)
                                        .limit(1))).scalar()
            if found is not None:
                return str(found)
    return None


def upload_mutations() -> dict[str, Any]:
    return {
        "start_upload": strawberry.mutation(
            resolver=start_upload, description="开始上传 — declare a large file (SM3 taken on the device, size, "
                                               "media type); an already-stored SM3 answers complete at once."),
        "upload_part": strawberry.mutation(
            resolver=upload_part, description="上传分片 — up to 1 MiB from `offset`; a part before `received` is "
                                              "a replay and changes nothing, one past it is BAD_USER_INPUT."),
        "finish_upload": strawberry.mutation(
            resolver=finish_upload, description="完成上传 — hash the whole file and store it by its SM3; a "
                                                "different hash is BLOB_INVALID and nothing is stored."),
    }
