"""Where the supergraph comes from: a file (polled by mtime) or an http(s) URL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway.errors import InvalidSupergraph


@dataclass(frozen=True)
class SupergraphSource:
    """A file path or an http(s) URL; ``read`` returns the SDL and a version token."""

    location: str

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))

    def version(self) -> str | None:
        """A cheap change token (file mtime and size); None for URLs or a missing file."""
        if self.is_url:
            return None
        try:
            st = os.stat(self.location)
        except OSError:
            return None
        return f"{st.st_mtime_ns}:{st.st_size}"

    def read_file(self) -> tuple[str, str]:
        version = self.version() or ""
        try:
            return Path(self.location).read_text(encoding="utf-8"), version
        except OSError as exc:
            raise InvalidSupergraph(f"cannot read supergraph file: {exc.strerror}", element=self.location) from exc

    async def read(self, client: httpx.AsyncClient | None = None) -> tuple[str, str]:
        if not self.is_url:
            return self.read_file()
        try:
            if client is None:
                async with httpx.AsyncClient(timeout=10.0) as own:
                    response = await own.get(self.location)
            else:
                response = await client.get(self.location, timeout=10.0)
        except httpx.HTTPError as exc:
            raise InvalidSupergraph(f"cannot fetch supergraph: {type(exc).__name__}",
                                    element=self.location) from exc
        if response.status_code != 200:
            raise InvalidSupergraph(f"fetching the supergraph answered HTTP {response.status_code}",
                                    element=self.location)
        return response.text, response.headers.get("etag", "")
