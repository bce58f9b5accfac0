"""The graph's `caseArchive` field: the electronic case file (电子卷宗) of a case, as a download.

The console (and any client) gets the same signed zip `hub archive export` writes, built by
`archive_file.build_case_archive`, base64 in the answer. Only a case in the caller's scope is
exported (null otherwise, like `penaltyCase`); a case whose files exceed
`CasesConfig.max_archive_bytes` is refused with ARCHIVE_TOO_LARGE (export it with the command
line instead). The archive holds the parties' data (each event's content), so `contentBase64` is
`@sensitive` (S3, WITHHELD): the gateway answers null to a caller who may not read personal data
in clear (an auditor, or a purpose not bound in production). Every export is logged with the case id
and the caller's id (no personal data); the gateway's access log records the call itself.
"""

from __future__ import annotations

import base64
import logging
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from domain.sm import sm3_hex
from subgraphs.cases.archive_file import ArchiveError, ArchiveTooLarge, build_case_archive
from subgraphs.cases.context import CasesContext
from subgraphs.cases.scalars import Int64
from subgraphs.common.directives import Sensitive

__all__ = ["CaseArchiveFile", "case_archive"]

log = logging.getLogger("subgraphs.cases.archive")


@strawberry.type(description="电子卷宗 — a case's signed archive file (zip: events, documents, evidence, SM3 "
                             "manifest with an SM2 signature); verify it offline with `hub archive verify`.")
class CaseArchiveFile:
    case_id: strawberry.ID = strawberry.field(description="案件标识 — the case's id")
    case_no: str = strawberry.field(description="案件编号 — the case number")
    file_name: str = strawberry.field(description="文件名 — suggested file name (<case id>.zip)")
    media_type: str = strawberry.field(description="文件类型 — application/zip")
    size_bytes: Int64 = strawberry.field(description="大小 — bytes of the zip")
    sm3: str = strawberry.field(description="哈希值 — SM3 of the zip's bytes")
    head_hash: str = strawberry.field(description="链头哈希 — the case's head hash the archive was made at")
    content_base64: str | None = strawberry.federation.field(
        description="内容 — the zip, base64-encoded; it holds the parties' data (the events' content), so it is "
                    "withheld (null) from callers who may not read personal data in clear",
        directives=[Sensitive(level="S3", mask="WITHHELD")])


async def case_archive(
    info: Info[CasesContext, None],
    case_id: Annotated[strawberry.ID, strawberry.argument(description="案件标识 — the case's id")],
) -> CaseArchiveFile | None:
    ctx = info.context
    record = await ctx.case_in_scope(str(case_id))
    if record is None:
        return None
    key = ctx.res.files.seal_key
    if key is None:
        raise GraphQLError("no seal key is configured: the archive cannot be signed",
                           extensions={"code": "ARCHIVE_UNAVAILABLE"})
    limit = ctx.res.config.max_archive_bytes
    try:
        archive = await build_case_archive(ctx.res.engine, record.case_id, blobs=ctx.res.blobs, key=key,
                                           max_bytes=limit)
    except ArchiveTooLarge as exc:
        log.warning("case archive refused: case=%s too large (%d > %d bytes)", record.case_id, exc.size, exc.limit)
        raise GraphQLError(f"电子卷宗过大（{exc.size} 字节，上限 {exc.limit} 字节），请使用 hub archive export 导出",
                           extensions={"code": "ARCHIVE_TOO_LARGE", "argument": "caseId",
                                       "sizeBytes": exc.size, "limitBytes": exc.limit}) from exc
    except ArchiveError as exc:
        log.warning("case archive failed: case=%s: %s", record.case_id, exc)
        raise GraphQLError(str(exc), extensions={"code": "ARCHIVE_UNAVAILABLE"}) from exc
    log.info("case archive exported: case=%s actor=%s bytes=%d", record.case_id, ctx.access.actor_id or "-",
             len(archive.data))
    return CaseArchiveFile(case_id=strawberry.ID(archive.case_id), case_no=archive.case_no,
                           file_name=archive.file_name, media_type="application/zip",
                           size_bytes=Int64(len(archive.data)), sm3=sm3_hex(archive.data),
                           head_hash=archive.head_hash, content_base64=base64.b64encode(archive.data).decode("ascii"))
