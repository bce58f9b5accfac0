"""What the provider's endpoints share on the wire: the RFC 6749 error and form-encoded bodies."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request

#: a form body larger than this is refused unread (a sign-in or token request is a few hundred bytes)
MAX_FORM_BYTES = 64 * 1024


class OAuthError(Exception):
    """An RFC 6749 error response: `{"error": code}` plus a description when one helps."""

    def __init__(self, status: int, code: str, description: str | None = None) -> None:
        super().__init__(description or code)
        self.status = status
        self.code = code
        self.description = description


async def read_form(request: Request) -> dict[str, list[str]]:
    """The fields of an application/x-www-form-urlencoded body, every value of each (invalid_request else)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise OAuthError(400, "invalid_request", f"the body is larger than {MAX_FORM_BYTES} bytes")
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise OAuthError(400, "invalid_request", "the body is not UTF-8") from exc
    return parse_qs(text, keep_blank_values=True)


def single_values(fields: dict[str, list[str]]) -> dict[str, str]:
    """Each field's one value; invalid_request naming those given more than once (RFC 6749 §3.1)."""
    repeated = sorted(name for name, values in fields.items() if len(values) > 1)
    if repeated:
        raise OAuthError(400, "invalid_request", f"parameters given more than once: {', '.join(repeated)}")
    return {name: values[0] for name, values in fields.items()}
