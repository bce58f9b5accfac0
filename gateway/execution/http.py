"""A lean pooled keep-alive HTTP/1.1 client for subgraph POSTs, built on asyncio protocols.

Subgraph calls are the gateway's hot path: a general-purpose client spends more CPU on its own
machinery than on the bytes. This one writes each request in one ``write`` and parses responses
incrementally (Content-Length, chunked, or read-until-close bodies; gzip/deflate decoded), keeps a
bounded pool of idle connections per origin, and reports failures as its own small error tree::

    HttpClientError
    ├── ConnectFailed       the connection could not be opened (refused, DNS, TLS handshake)
    ├── ConnectionLost      the peer closed or reset the connection before the response was complete
    ├── ResponseTimeout     no complete response before the deadline (connecting and queueing included)
    └── ProtocolViolation   the peer's bytes are not an HTTP/1.1 response, or a header cannot be sent
"""

from __future__ import annotations

import asyncio
import collections
import ssl
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

_MAX_HEAD = 64 * 1024
_HEAD_END = b"\r\n\r\n"
_HEAD, _LENGTH, _CHUNKED, _UNTIL_CLOSE, _DONE = range(5)


class HttpClientError(Exception):
    """Base of the client's errors; ``url`` names the request's target."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class ConnectFailed(HttpClientError):
    pass


class ConnectionLost(HttpClientError):
    pass


class ResponseTimeout(HttpClientError):
    pass


class ProtocolViolation(HttpClientError):
    pass


class _Reset(Exception):
    """A reused connection died before any response byte arrived: safe to retry an idempotent request."""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        for k, v in self.headers:
            if k == lowered:
                return v
        return None


@dataclass(frozen=True, slots=True)
class _Target:
    origin: tuple[str, str, int]  # scheme, host, port
    prefix: bytes  # request line, Host and the fixed headers


class _Connection(asyncio.Protocol):
    """One keep-alive connection; at most one request at a time (no pipelining)."""

    def __init__(self, pool: _OriginPool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[HttpResponse] | None = None
        self.state = _DONE
        self.status = 0
        self.reason = ""
        self.headers: tuple[tuple[str, str], ...] = ()
        self.remaining = 0
        self.body = bytearray()
        self.keep_alive = True
        self.encoding = ""
        self.closed = False
        self.uses = 0
        self.idle_since = 0.0
        self.received = False

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, but they have its methods
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            if self.state == _UNTIL_CLOSE:
                self.body += self.buf
                self.buf.clear()
                self.keep_alive = False
                self._finish()
            elif not self.received and self.uses > 1:
                waiter.set_exception(_Reset())
            else:
                waiter.set_exception(ConnectionLost(
                    "the connection closed before the response was complete"
                    + (f" ({type(exc).__name__})" if exc else "")))
        self.pool.forget(self)

    def data_received(self, data: bytes) -> None:
        if self.waiter is None or self.waiter.done():
            self.close()  # bytes nobody asked for: the connection is out of step
            return
        self.received = True
        self.buf += data
        try:
            self._advance()
        except ProtocolViolation as exc:
            self.keep_alive = False
            if not self.waiter.done():
                self.waiter.set_exception(exc)
            self.close()

    # -- request/response
    def send(self, data: bytes) -> asyncio.Future[HttpResponse]:
        assert self.transport is not None
        self.waiter = waiter = self.pool.loop.create_future()
        self.state = _HEAD
        self.received = False
        self.uses += 1
        self.transport.write(data)
        return waiter

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                self.transport.close()
            self.pool.forget(self)

    def _advance(self) -> None:
        buf = self.buf
        while True:
            state = self.state
            if state == _HEAD:
                end = buf.find(_HEAD_END)
                if end < 0:
                    if len(buf) > _MAX_HEAD:
                        raise ProtocolViolation("the response head is too large")
                    return
                head = bytes(buf[:end])
                del buf[:end + 4]
                self._head(head)
            elif state == _LENGTH:
                if len(buf) < self.remaining:
                    return
                n = self.remaining
                if n == len(buf) and not self.body:
                    self.body = buf  # the common case: the whole body is the buffer; no copy
                    self.buf = buf = bytearray()
                else:
                    self.body += buf[:n]
                    del buf[:n]
                if buf:
                    self.keep_alive = False  # bytes after the body: never reuse this connection
                self._finish()
                return
            elif state == _CHUNKED:
                if not self._chunks():
                    return
                self._finish()
                return
            else:  # _UNTIL_CLOSE (or _DONE with stray bytes): keep everything until the peer closes
                self.body += buf
                buf.clear()
                return

    def _head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit() or len(parts[1]) != 3:
            raise ProtocolViolation(f"not an HTTP/1.1 status line: {lines[0][:80]!r}")
        status = int(parts[1])
        headers = []
        length: int | None = None
        chunked = False
        keep_alive = parts[0] != b"HTTP/1.0"
        encoding = ""
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name[-1:] in (b" ", b"\t"):
                raise ProtocolViolation(f"malformed header line: {line[:80]!r}")
            key = name.decode("latin-1").lower()
            text = value.strip().decode("latin-1")
            headers.append((key, text))
            if key == "content-length":
                if not text.isdigit() or (length is not None and int(text) != length):
                    raise ProtocolViolation(f"bad Content-Length: {text[:40]!r}")
                length = int(text)
            elif key == "transfer-encoding":
                chunked = text.lower().rsplit(",", 1)[-1].strip() == "chunked"
                if not chunked:
                    raise ProtocolViolation(f"unsupported Transfer-Encoding: {text[:40]!r}")
            elif key == "connection":
                tokens = {t.strip() for t in text.lower().split(",")}
                if "close" in tokens:
                    keep_alive = False
                elif "keep-alive" in tokens:
                    keep_alive = True
            elif key == "content-encoding":
                encoding = text.lower()
        if 100 <= status < 200:
            return  # an interim response: the real one follows
        self.status = status
        self.reason = parts[2].decode("latin-1") if len(parts) > 2 else ""
        self.headers = tuple(headers)
        self.keep_alive = keep_alive
        self.encoding = encoding
        self.body = bytearray()
        if status in (204, 304):
            self.state = _DONE
            self._finish()
        elif chunked:
            self.state = _CHUNKED
            self.remaining = -1
        elif length is not None:
            self.state = _LENGTH
            self.remaining = length
        else:
            self.state = _UNTIL_CLOSE
            self.keep_alive = False

    def _chunks(self) -> bool:
        """Consume chunked framing from the buffer; True once the last chunk and trailers are read."""
        buf = self.buf
        while True:
            if self.remaining == -1:  # expecting a size line
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > 4096:
                        raise ProtocolViolation("a chunk size line is too long")
                    return False
                size_text = bytes(buf[:end]).split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise ProtocolViolation(f"bad chunk size: {size_text[:20]!r}") from None
                if size < 0:
                    raise ProtocolViolation("negative chunk size")
                del buf[:end + 2]
                if size == 0:
                    self.remaining = -2
                else:
                    self.remaining = size
            elif self.remaining == -2:  # trailers up to an empty line
                if buf[:2] == b"\r\n":
                    del buf[:2]
                    if buf:
                        self.keep_alive = False
                    return True
                end = buf.find(_HEAD_END)
                if end < 0:
                    if len(buf) > _MAX_HEAD:
                        raise ProtocolViolation("the chunked trailers are too large")
                    return False
                del buf[:end + 4]
                if buf:
                    self.keep_alive = False
                return True
            else:
                n = self.remaining
                if len(buf) < n + 2:
                    return False
                if buf[n:n + 2] != b"\r\n":
                    raise ProtocolViolation("a chunk does not end with CRLF")
                self.body += buf[:n]
                del buf[:n + 2]
                self.remaining = -1

    def _finish(self) -> None:
        self.state = _DONE
        body = bytes(self.body)
        self.body = bytearray()
        if self.encoding and self.encoding != "identity":
            body = _decode(body, self.encoding)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(HttpResponse(self.status, self.reason, self.headers, body))


def _decode(body: bytes, encoding: str) -> bytes:
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(body, wbits=47)
        if encoding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, wbits=-15)
    except zlib.error as exc:
        raise ProtocolViolation(f"the {encoding} body does not decode: {exc}") from exc
    raise ProtocolViolation(f"unsupported Content-Encoding {encoding!r}")


class _OriginPool:
    """Connections to one scheme://host:port: idle ones (most recent last), a bound, and a wait queue."""

    def __init__(self, client: HttpClient, origin: tuple[str, str, int]) -> None:
        self.client = client
        self.origin = origin
        self.loop = asyncio.get_running_loop()
        self.idle: collections.deque[_Connection] = collections.deque()
        self.open = 0  # connections open or being opened
        self.waiters: collections.deque[asyncio.Future[_Connection | None]] = collections.deque()
        self.live: set[_Connection] = set()

    async def acquire(self, *, fresh: bool = False) -> _Connection:
        if not fresh:
            now = time.monotonic()
            expiry = self.client.keepalive_s
            while self.idle:
                conn = self.idle.pop()
                if not conn.closed and now - conn.idle_since < expiry:
                    return conn
                conn.close()
        while self.open >= self.client.max_per_origin:
            waiter: asyncio.Future[_Connection | None] = self.loop.create_future()
            self.waiters.append(waiter)
            try:
                handed = await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    late = waiter.result()
                    if late is not None:
                        self.release(late)
                    else:
                        self._wake()  # pass the free slot on
                raise
            if handed is not None:
                return handed
        return await self._connect()

    async def _connect(self) -> _Connection:
        scheme, host, port = self.origin
        self.open += 1
        try:
            _, conn = await self.loop.create_connection(
                lambda: _Connection(self), host, port,
                ssl=self.client.tls_context() if scheme == "https" else None,
                server_hostname=host if scheme == "https" else None)
        except BaseException:
            self.open -= 1
            self._wake()
            raise
        self.live.add(conn)
        if conn.closed:  # lost before this coroutine resumed
            self.forget(conn)
            raise ConnectionLost("the connection closed as soon as it opened")
        return conn

    def release(self, conn: _Connection) -> None:
        """Give a connection back after a complete exchange (closed ones only free their slot)."""
        if conn.closed or not conn.keep_alive:
            conn.close()
            return
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        conn.idle_since = time.monotonic()
        self.idle.append(conn)

    def forget(self, conn: _Connection) -> None:
        """A connection closed: drop it and free its slot (once)."""
        if conn in self.live:
            self.live.discard(conn)
            self.open -= 1
            if conn in self.idle:
                self.idle.remove(conn)
            self._wake()

    def _wake(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # a slot is free: the waiter opens its own connection
                return

    def close(self) -> None:
        for conn in list(self.live):
            conn.close()
        self.idle.clear()


class HttpClient:
    """Pooled keep-alive POSTs; one per app lifespan, used from one event loop; ``aclose`` closes all."""

    def __init__(self, *, max_per_origin: int = 256, keepalive_s: float = 30.0,
                 tls: ssl.SSLContext | None = None) -> None:
        if max_per_origin < 1:
            raise ValueError("max_per_origin must be at least 1")
        self.max_per_origin = max_per_origin
        self.keepalive_s = keepalive_s
        self._tls = tls
        self._pools: dict[tuple[str, str, int], _OriginPool] = {}
        self._targets: dict[str, _Target] = {}

    def tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()
        return self._tls

    async def post(self, url: str, body: bytes, headers: Mapping[str, str] | None = None, *,
                   timeout_s: float, idempotent: bool = True) -> HttpResponse:
        """POST ``body`` (JSON) to ``url``; a stale pooled connection is retried once when ``idempotent``."""
        target = self._targets.get(url) or self._target(url)
        data = _request_bytes(target.prefix, body, headers, url)
        pool = self._pools.get(target.origin)
        if pool is None:
            pool = self._pools[target.origin] = _OriginPool(self, target.origin)
        try:
            async with asyncio.timeout(timeout_s):
                try:
                    return await self._exchange(pool, data, url, fresh=False)
                except _Reset:
                    if not idempotent:
                        raise ConnectionLost("the pooled connection was closed by the peer", url=url) from None
                    return await self._exchange(pool, data, url, fresh=True)
        except TimeoutError:
            raise ResponseTimeout(f"no response within {timeout_s:g} s", url=url) from None

    async def _exchange(self, pool: _OriginPool, data: bytes, url: str, *, fresh: bool) -> HttpResponse:
        try:
            conn = await pool.acquire(fresh=fresh)
        except OSError as exc:  # refused, unreachable, DNS (gaierror), TLS (SSLError)
            raise ConnectFailed(f"cannot connect: {type(exc).__name__}: {exc}", url=url) from exc
        try:
            response = await conn.send(data)
        except _Reset:
            conn.close()
            raise
        except HttpClientError as exc:
            conn.close()
            exc.url = url
            raise
        except BaseException:  # cancelled or timed out mid-exchange: the connection is out of step
            conn.close()
            raise
        conn.waiter = None
        pool.release(conn)
        return response

    def _target(self, url: str) -> _Target:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ConnectFailed(f"unsupported URL {url!r}: only http and https are spoken", url=url)
        default = 443 if scheme == "https" else 80
        try:
            port = parts.port or default
        except ValueError as exc:
            raise ConnectFailed(f"bad port in URL {url!r}", url=url) from exc
        host = parts.hostname
        host_header = f"[{host}]" if ":" in host else host
        if port != default:
            host_header += f":{port}"
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        prefix = (f"POST {path} HTTP/1.1\r\nHost: {host_header}\r\n"
                  "Content-Type: application/json\r\nAccept: application/json\r\n").encode("latin-1")
        target = _Target((scheme, host, port), prefix)
        if len(self._targets) < 1024:
            self._targets[url] = target
        return target

    async def aclose(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        await asyncio.sleep(0)  # let the transports run their close callbacks


def _request_bytes(prefix: bytes, body: bytes, headers: Mapping[str, str] | None, url: str) -> bytes:
    if not headers:
        return b"%bContent-Length: %d\r\n\r\n%b" % (prefix, len(body), body)
    extra = []
    for name, value in headers.items():
        if not name or any(c in name for c in ":\r\n ") or "\r" in value or "\n" in value:
            raise ProtocolViolation(f"header {name!r} cannot be sent", url=url)
        extra.append(f"{name}: {value}\r\n")
    try:
        head = "".join(extra).encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ProtocolViolation("a header value is not Latin-1 text", url=url) from exc
    return b"%b%bContent-Length: %d\r\n\r\n%b" % (prefix, head, len(body), body)
