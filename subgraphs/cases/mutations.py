"""Mutations of the cases subgraph: one per domain command, plus files, documents and evidence.

Every case mutation takes `expectedVersion` (optimistic locking) and `idempotencyKey` (a retry with
the same key returns the first result; the same key with another request is refused). Its input is
checked first (`input_rules.check_arguments`: identifiers and dates, BAD_USER_INPUT naming the
field, nothing written). It returns the updated `PenaltyCase`, or fails with a GraphQL error whose
`extensions.code` is one of
GUARD_FAILED (with `rule` and `article`), ILLEGAL_TRANSITION, VERSION_CONFLICT,
IDEMPOTENCY_KEY_REUSED, BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED.

A mutation needs a known caller (`require_user`); one on a case outside the caller's scope, or by a
read-only role, fails with FORBIDDEN; a new case may be opened only for a body the caller may open
cases for (`subgraphs.cases.access`).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import inspect
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from domain.sm import id_number_hash, normalise_id_number
from subgraphs.cases.access import CaseAccess, registered_region
from subgraphs.cases.codec import CodecError, encode_command
from subgraphs.cases.command_descriptions import mutation_description
from subgraphs.cases.config import MAX_INLINE_BYTES
from subgraphs.cases.context import CasesContext
from subgraphs.cases.descriptions import ARGS, FIELDS, OPEN_CASE_ID
from subgraphs.cases.devauth import DEV_HINT
from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.domain.commands import CaseCommand, DecideOnTheSpot, RegisterClue
from subgraphs.cases.domain.enums import EvidenceKind
from subgraphs.cases.domain.errors import CaseDomainError, DomainValueError, GuardFailed, IllegalTransition
from subgraphs.cases.domain.machine import handlers
from subgraphs.cases.domain.records import Party
from subgraphs.cases.errors import CaseServiceError, IdempotencyKeyReused, VersionConflict
from subgraphs.cases.input_rules import check_arguments
from subgraphs.cases.inputs import PartyInput, input_types
from subgraphs.cases.service import CaseRecord, CommandResult, Idempotency, request_hash, uuid7
from subgraphs.cases.types import Int64, PenaltyCase, UploadedFile
from subgraphs.common.directives import MaxLength
from subgraphs.common.errors import graphql_error
from subgraphs.common.logsafe import scrub

T = TypeVar("T")


def to_graphql_error(exc: Exception) -> GraphQLError:
    """The error a caller sees; messages never echo an ID number (`scrub`)."""
    if isinstance(exc, GuardFailed):
        return graphql_error(exc.code, scrub(str(exc)), rule=exc.rule, article=exc.article)
    if isinstance(exc, IllegalTransition):
        return graphql_error(exc.code, str(exc), state=exc.state, allowed=list(exc.allowed))
    if isinstance(exc, DomainValueError | CodecError):
        return graphql_error("BAD_USER_INPUT", scrub(str(exc)))
    if isinstance(exc, VersionConflict):
        return graphql_error(exc.code, str(exc), caseId=exc.case_id, expected=exc.expected, actual=exc.actual)
    if isinstance(exc, IdempotencyKeyReused):
        return graphql_error(exc.code, str(exc))
    if isinstance(exc, CaseServiceError | CaseDomainError):
        return graphql_error(exc.code, scrub(str(exc)))
    raise exc


async def guarded(call: Awaitable[T]) -> T:
    try:
        return await call
    except (CaseServiceError, CaseDomainError, CodecError) as exc:
        raise to_graphql_error(exc) from exc


def require_user(info: Info[CasesContext, None]) -> CaseAccess:
    """The caller, who must be known (a signed caller with a subject, or a dev identity in dev)."""
    access = info.context.access
    if access.error is not None:
        raise graphql_error("BAD_USER_INPUT", access.error)
    if access.actor_id is None:
        hint = DEV_HINT if info.context.res.config.allow_dev_header \
            else "a caller identified by the gateway is needed"
        raise graphql_error("UNAUTHENTICATED", f"{hint} to act on cases")
    return access


async def require_case_access(info: Info[CasesContext, None], user: CaseAccess, case_id: str) -> CaseRecord:
    """The case, if `user` may change it: NOT_FOUND when there is none, FORBIDDEN outside scope."""
    record = await info.context.case_in_scope(case_id)
    if record is None:
        if await info.context.any_case.load(case_id) is None:
            raise graphql_error("NOT_FOUND", f"no case {case_id}")
        raise graphql_error("FORBIDDEN", f"case {case_id} is outside the scope of {user.id}")
    if not user.writer:
        raise graphql_error("FORBIDDEN", f"{user.id} may read cases but not change them")
    return record


async def require_new_case_body(info: Info[CasesContext, None], user: CaseAccess, body_uscc: str,
                                region_code: str | None) -> None:
    """FORBIDDEN unless `user` may open a case for that body (its own; any in scope: DEPARTMENT_SYSTEM)."""
    region = await registered_region(info.context.res.engine, body_uscc) if user.scope is not None else None
    if not user.may_open_for(body_uscc, region or region_code):
        raise graphql_error("FORBIDDEN", f"{user.id} may not open cases for body {body_uscc}")


def _idempotency(key: str | None, payload: dict[str, Any]) -> Idempotency | None:
    if key is None:
        return None
    try:
        return Idempotency(key, request_hash(payload))
    except CaseServiceError as exc:
        raise to_graphql_error(exc) from exc


def _camel(name: str) -> str:
    return name[0].lower() + name[1:]


def _now() -> datetime:
    return datetime.now(CHINA_TZ)


class _Parties:
    """Turns `PartyInput`s into domain parties, hashing ID numbers at once (never kept)."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self.seen: list[tuple[str, str]] = []

    def __call__(self, raw: PartyInput) -> Party:
        digest = raw.id_number_hash
        id_type = raw.id_type.value if raw.id_type is not None else None
        if raw.id_number:
            if id_type is None:
                raise graphql_error("BAD_USER_INPUT", "a party's idNumber needs its idType")
            number = normalise_id_number(raw.id_number)
            digest = id_number_hash(self.secret, id_type, number)
            self.seen.append((id_type, number))
        if digest is not None and id_type is None:
            raise graphql_error("BAD_USER_INPUT", "a party's idNumberHash needs its idType")
        uscc = raw.uscc.strip().upper() if raw.uscc else None
        return Party(raw.party_type, raw.name, raw.birth_date, digest, id_type, uscc)


async def run_command(
    info: Info[CasesContext, None], cmd_cls: type[CaseCommand], case_id: str | None, value: Any,
    expected_version: int | None, idempotency_key: str | None,
) -> PenaltyCase:
    user = require_user(info)
    check_arguments({"input": value, "caseId": case_id, "idempotencyKey": idempotency_key})
    res = info.context.res
    given_at = getattr(value, "at", None) if value is not None else None
    at = given_at or _now()
    creating = cmd_cls is RegisterClue or (cmd_cls is DecideOnTheSpot and case_id is None)
    new_id = uuid7() if creating else str(case_id)
    parties = _Parties(res.config.id_hash_secret)
    try:
        command = input_types().to_command(cmd_cls, value, at=at, actor_id=user.id, case_id=new_id, party=parties)
    except (TypeError, DomainValueError) as exc:
        raise graphql_error("BAD_USER_INPUT", scrub(str(exc))) from exc
    if creating:
        clue = command if isinstance(command, RegisterClue) else getattr(command, "clue", None)
        if not isinstance(clue, RegisterClue):
            raise graphql_error("BAD_USER_INPUT", "caseId is required unless the input carries the clue")
        await require_new_case_body(info, user, clue.body_id, clue.region_code)
    else:
        await require_case_access(info, user, new_id)
    signature = encode_command(command)
    signature["fields"]["at"] = given_at.isoformat() if given_at else None
    if creating:
        signature = _without_case_ids(signature)
    idem = _idempotency(idempotency_key, {"op": cmd_cls.__name__, "caseId": None if creating else new_id,
                                          "expectedVersion": expected_version, "command": signature})
    if parties.seen:
        await res.vault.remember(parties.seen, source="cases")
    result = await guarded(res.service.execute(command, case_id=None if creating else new_id,
                                               expected_version=expected_version, idempotency=idem))
    return PenaltyCase.from_record(result.case)


def _without_case_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_case_ids(v) for k, v in value.items() if k != "case_id"}
    if isinstance(value, list):
        return [_without_case_ids(v) for v in value]
    return value


def command_mutation(cmd_cls: type[CaseCommand]) -> Any:
    """A strawberry mutation field for `cmd_cls` (signature built from the command's input type)."""
    input_cls = input_types().for_command(cmd_cls)
    required_fields = [f.name for f in dataclasses.fields(input_cls)
                       if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation=Info[CasesContext, None])]
    if cmd_cls is not RegisterClue:
        if cmd_cls is DecideOnTheSpot:
            params.append(inspect.Parameter("case_id", kw, default=None,
                                            annotation=described_arg(strawberry.ID | None, OPEN_CASE_ID)))
        else:
            params.append(inspect.Parameter("case_id", kw, annotation=described_arg(strawberry.ID, ARGS["case_id"])))
    if required_fields:
        params.append(inspect.Parameter("input", kw, annotation=described_arg(input_cls, ARGS["input"])))
    else:
        params.append(inspect.Parameter("input", kw, default=None,
                                        annotation=described_arg(input_cls | None, ARGS["input"])))
    params.append(inspect.Parameter("expected_version", kw, default=None,
                                    annotation=described_arg(int | None, ARGS["expected_version"])))
    params.append(inspect.Parameter("idempotency_key", kw, default=None,
                                    annotation=described_arg(str | None, ARGS["idempotency_key"])))

    async def resolve(info: Any, *, case_id: Any = None, input: Any = None, expected_version: Any = None,
                      idempotency_key: Any = None) -> Any:
        return await run_command(info, cmd_cls, case_id, input, expected_version, idempotency_key)

    resolve.__name__ = _snake(cmd_cls.__name__)
    resolve.__signature__ = inspect.Signature(params, return_annotation=PenaltyCase)  # type: ignore[attr-defined]
    resolve.__annotations__ = {p.name: p.annotation for p in params} | {"return": PenaltyCase}
    name = _camel(cmd_cls.__name__)
    return strawberry.mutation(resolver=resolve, name=name, description=mutation_description(name))


def described_arg(annotation: Any, description: str) -> Any:
    """`annotation` as a mutation argument carrying `description`."""
    return Annotated[annotation, strawberry.argument(description=description)]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# --- files, documents, evidence, licences ---------------------------------------------------------


async def upload_file(
    info: Info[CasesContext, None],
    content_base64: Annotated[str, strawberry.argument(
        description="文件内容 — the file, base64-encoded (small files only)",
        directives=[MaxLength(max=4 * -(-MAX_INLINE_BYTES // 3))])],  # the base64 text of the largest file
    sm3: Annotated[str | None, strawberry.argument(
        description="哈希值 — the SM3 you expect; the upload fails if the content's differs")] = None,
) -> UploadedFile:
    """Small files as base64; larger ones go to POST /files (a plain HTTP upload)."""
    if not require_user(info).writer:
        raise graphql_error("FORBIDDEN", "this caller may not add case files")
    check_arguments({"sm3": sm3})  # contentBase64 is checked as base64 below
    res = info.context.res
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise graphql_error("BAD_USER_INPUT", "contentBase64 is not base64") from exc
    if len(data) > res.config.max_inline_bytes:
        raise graphql_error("BAD_USER_INPUT",
                            f"files over {res.config.max_inline_bytes} bytes go to POST /files, not through GraphQL")
    stored = await guarded(_put(res.blobs.put, data, sm3))
    return UploadedFile(sm3=stored.sm3, size=Int64(stored.size), file_ref=stored.file_ref)


async def _put(put: Callable[..., Any], data: bytes, sm3: str | None) -> Any:
    return put(data, expected_sm3=sm3)


@strawberry.input(description="执法文书 — a document to attach: the file must have been uploaded (by SM3).")
class AttachDocumentInput:
    doc_type: str = strawberry.field(description="文书类型 — kind of document (e.g. 处罚决定书)")
    title: str = strawberry.field(description="标题 — the document's title")
    sm3: str = strawberry.field(description="哈希值 — SM3 of the uploaded file")
    media_type: str = strawberry.field(default="application/pdf", description="文件类型 — media type of the file")
    doc_no: str | None = strawberry.field(default=None, description="文号 — the document number, if it has one")
    seal: bool = strawberry.field(default=False, description="电子印章 — sign with the agency's SM2 electronic seal")
    at: datetime | None = strawberry.field(default=None, description=FIELDS["at"])


@strawberry.input(description="证据 — evidence to record (T7): the file must have been uploaded (by SM3).")
class AttachEvidenceInput:
    kind: EvidenceKind = strawberry.field(description="证据种类 — kind of evidence (行政处罚法 第四十六条)")
    title: str = strawberry.field(description="名称 — the evidence's title")
    sm3: str = strawberry.field(description="哈希值 — the SM3 taken at capture; must equal the uploaded file's")
    captured_at: datetime = strawberry.field(description="采集时间 — instant of capture, with offset")
    collected_by: list[str] = strawberry.field(description="收集人 — ids of the officers who collected it")
    media_type: str = strawberry.field(default="application/octet-stream",
                                       description="文件类型 — media type of the file")
    device_id: str | None = strawberry.field(
        default=None, description="采集设备 — device (body camera, phone) that captured it")
    method: str | None = strawberry.field(default=None, description="采集方式 — how it was captured")
    signed: bool = strawberry.field(default=True, description="签名确认 — confirmed by the party's signature")
    at: datetime | None = strawberry.field(default=None, description=FIELDS["at"])


def _request(op: str, case_id: str, expected: int | None, value: Any) -> dict[str, Any]:
    fields = {k: (v.isoformat() if isinstance(v, datetime) else v.value if hasattr(v, "value") else v)
              for k, v in vars(value).items()}
    return {"op": op, "caseId": case_id, "expectedVersion": expected, "input": fields}


_CaseId = Annotated[strawberry.ID, strawberry.argument(description=ARGS["case_id"])]
_Expected = Annotated[int | None, strawberry.argument(description=ARGS["expected_version"])]
_Key = Annotated[str | None, strawberry.argument(description=ARGS["idempotency_key"])]


async def attach_document(info: Info[CasesContext, None], case_id: _CaseId,
                          input: Annotated[AttachDocumentInput, strawberry.argument(description="文书 — the document")],
                          expected_version: _Expected = None, idempotency_key: _Key = None) -> PenaltyCase:
    user = require_user(info)
    check_arguments({"input": input, "idempotencyKey": idempotency_key})
    await require_case_access(info, user, str(case_id))
    idem = _idempotency(idempotency_key, _request("attachDocument", str(case_id), expected_version, input))
    result: CommandResult = await guarded(info.context.res.files.attach_document(
        str(case_id), doc_type=input.doc_type, title=input.title, media_type=input.media_type, sm3=input.sm3,
        actor_id=user.id, at=input.at or _now(), doc_no=input.doc_no, seal=input.seal,
        expected_version=expected_version, idempotency=idem))
    return PenaltyCase.from_record(result.case)


async def attach_evidence(info: Info[CasesContext, None], case_id: _CaseId,
                          input: Annotated[AttachEvidenceInput, strawberry.argument(description="证据 — the evidence")],
                          expected_version: _Expected = None, idempotency_key: _Key = None) -> PenaltyCase:
    user = require_user(info)
    check_arguments({"input": input, "idempotencyKey": idempotency_key})
    await require_case_access(info, user, str(case_id))
    idem = _idempotency(idempotency_key, _request("attachEvidence", str(case_id), expected_version, input))
    result: CommandResult = await guarded(info.context.res.files.attach_evidence(
        str(case_id), kind=input.kind, title=input.title, media_type=input.media_type, sm3=input.sm3,
        captured_at=input.captured_at, collected_by=tuple(input.collected_by), actor_id=user.id,
        at=input.at or _now(), device_id=input.device_id, method=input.method, signed=input.signed,
        expected_version=expected_version, idempotency=idem))
    return PenaltyCase.from_record(result.case)


async def link_licence(
    info: Info[CasesContext, None], case_id: _CaseId,
    licence_id: Annotated[strawberry.ID, strawberry.argument(description="许可编号 — the licence id in the licensing system")],
    action: Annotated[str, strawberry.argument(
        description="操作 — SUSPEND (暂扣), REVOKE (吊销), DOWNGRADE (降低资质等级) or REFERENCE (涉及)")],
    expected_version: _Expected = None, idempotency_key: _Key = None,
) -> PenaltyCase:
    """Record a licence the case suspends (SUSPEND), revokes (REVOKE), downgrades or refers to."""
    user = require_user(info)
    check_arguments({"licenceId": str(licence_id), "action": action, "idempotencyKey": idempotency_key})
    await require_case_access(info, user, str(case_id))
    idem = _idempotency(idempotency_key, {"op": "linkLicence", "caseId": str(case_id), "licenceId": str(licence_id),
                                          "action": action, "expectedVersion": expected_version})
    result: CommandResult = await guarded(info.context.res.files.link_licence(
        str(case_id), licence_id=str(licence_id), action=action, actor_id=user.id, at=_now(),
        expected_version=expected_version, idempotency=idem))
    return PenaltyCase.from_record(result.case)


def build_mutation_type(extra: Mapping[str, Any] | None = None) -> type:
    """The `Mutation` type: one field per command of the machine, the file mutations and `extra` fields."""
    namespace: dict[str, Any] = {"__module__": __name__, **(extra or {})}
    for cmd_cls in sorted(handlers(), key=lambda c: c.__name__):
        namespace[_snake(cmd_cls.__name__)] = command_mutation(cmd_cls)
    namespace["upload_file"] = strawberry.mutation(
        resolver=upload_file, description="上传文件 — store a small file by its SM3 (larger ones: POST /files).")
    namespace["attach_document"] = strawberry.mutation(
        resolver=attach_document, description="附加执法文书 — attach an uploaded document (optionally sealed).")
    namespace["attach_evidence"] = strawberry.mutation(
        resolver=attach_evidence, description="记录证据 — record uploaded evidence (T7, INVESTIGATING).")
    namespace["link_licence"] = strawberry.mutation(
        resolver=link_licence,
        description="关联许可 — record a licence the case suspends, revokes, downgrades or refers to.")
    built: type = strawberry.type(type("Mutation", (), namespace), name="Mutation",
                                  description="变更 — the commands of penalty cases, coercive measures, inspections "
                                              "and the catalogue, and the file mutations.")
    return built
